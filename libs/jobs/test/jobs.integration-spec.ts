import { runSchemaMigrations } from '@shopwire/database';
import { provisionTopics } from '@shopwire/kafka';
import { waitFor } from '@shopwire/testing';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import {
  CALLBACK_SIGNATURE_HEADER,
  JobAbortedError,
  JobStore,
  verifyCallback,
  type JobRecord,
} from '../src';
import {
  startRuntime,
  testDataSource,
  testKafka,
  testSettings,
  type RunningRuntime,
} from './fixtures/runtime';

// Real Postgres and Kafka. A schema and a dispatch topic of this run's own.
const run = randomUUID().slice(0, 8);
const SCHEMA = `jobs_it_${run}`;
const TOPIC = `shopwire.jobs.it-${run}.v1`;
const SECRET = 'jobs-it-callback-secret-0123456789abcdef';

let db: DataSource;
let store: JobStore;

const jobIn = (id: string, ...statuses: JobRecord['status'][]) =>
  waitFor(
    async () => {
      const job = await store.get(id);
      return job && statuses.includes(job.status) ? job : null;
    },
    `job ${id} to be ${statuses.join('|')}`,
  );

async function effects(jobId: string): Promise<{ rows: number; distinct: number }> {
  const [row] = (await db.query(
    `SELECT count(*)::int AS rows, count(DISTINCT item)::int AS distinct
     FROM "${SCHEMA}".test_effects WHERE job_id = $1`,
    [jobId],
  )) as { rows: number; distinct: number }[];
  return row;
}

function submitCounting(items: number, delayMs: number, callbackUrl?: string): Promise<JobRecord> {
  return store.submit({
    type: 'counting',
    params: { items, delayMs },
    callbackUrl,
    maxAttempts: 5,
  });
}

beforeAll(async () => {
  db = testDataSource(SCHEMA);
  await db.initialize();
  await runSchemaMigrations(db);
  store = new JobStore(db, TOPIC);
  const admin = testKafka().admin();
  await admin.connect();
  try {
    await provisionTopics(admin, [{ topic: TOPIC, partitions: 3, replicationFactor: 1 }]);
  } finally {
    await admin.disconnect();
  }
});

afterAll(async () => {
  await db.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`).catch(() => undefined);
  await db.destroy();
  const admin = testKafka().admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [TOPIC] }).catch(() => undefined);
  await admin.disconnect();
});

it('lists newest first a page at a time, each page after the last id of the one before', async () => {
  const type = `paging-${run}`;
  const submitted: JobRecord[] = [];
  for (let i = 0; i < 5; i++)
    submitted.push(await store.submit({ type, params: { i }, maxAttempts: 1 }));
  const newestFirst = [...submitted].reverse().map((job) => job.id);
  const pages: string[][] = [];
  let after: string | undefined;
  for (;;) {
    const page = await store.list({ type, limit: 2, after });
    if (page.length === 0) break;
    pages.push(page.map((job) => job.id));
    after = page[page.length - 1]!.id;
  }
  expect(pages).toEqual([newestFirst.slice(0, 2), newestFirst.slice(2, 4), newestFirst.slice(4)]);
  // Queued with no worker for their type: cancelled at once, so no later test meets them.
  for (const job of submitted) await store.requestCancel(job.id);
});

describe('in one worker', () => {
  let running: RunningRuntime;

  beforeAll(async () => {
    running = await startRuntime({ schema: SCHEMA, topic: TOPIC, groupId: `jobs-it-${run}-a` });
    await waitFor(async () => running.joined(), 'consumer joined');
  });

  afterAll(() => running.stop());

  it('runs a submitted job with progress visible while running, to a downloadable result', async () => {
    const submitted = await submitCounting(20, 100);
    expect(submitted.status).toBe('queued');
    const midway = await waitFor(async () => {
      const job = await store.get(submitted.id);
      return job?.status === 'running' && job.processed > 0 && job.processed < 20 ? job : null;
    }, 'progress while running');
    expect(midway.total).toBe(20);
    const done = await jobIn(submitted.id, 'succeeded', 'failed');
    expect(done).toMatchObject({ status: 'succeeded', processed: 20, total: 20, attempts: 1 });
    expect(done.result).toMatchObject({
      contentType: 'text/plain; charset=utf-8',
      summary: { items: 20 },
    });
    const output = (await store.readOutput(submitted.id)).toString();
    expect(output).toBe(Array.from({ length: 20 }, (_, i) => `item ${i}\n`).join(''));
    expect(done.result!.size).toBe(Buffer.byteLength(output));
    expect(await effects(submitted.id)).toEqual({ rows: 20, distinct: 20 });
  });

  it('cancels a running job: it notices within about a second and stops', async () => {
    const submitted = await submitCounting(500, 100);
    await waitFor(
      async () => ((await store.get(submitted.id))?.processed ?? 0) >= 3,
      'a few items',
    );
    const requested = Date.now();
    const outcome = await store.requestCancel(submitted.id);
    expect(outcome.kind).toBe('cancelling');
    const cancelled = await jobIn(submitted.id, 'cancelled', 'succeeded', 'failed');
    const noticedMs = Date.now() - requested;
    expect(cancelled.status).toBe('cancelled');
    // The tick is 200 ms here (500 ms by default); a loaded shared machine gets generous slack.
    expect(noticedMs).toBeLessThan(3000);
    const after = await effects(submitted.id);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(await effects(submitted.id)).toEqual(after);
    expect(after.rows).toBeLessThan(500);
    expect(after.rows).toBe(after.distinct);
    expect(running.runtime.worker.active).not.toContain(submitted.id);
    // Cancelling again is idempotent; a queued job is cancelled at once.
    expect((await store.requestCancel(submitted.id)).kind).toBe('finished');
  });

  it('cancels a queued job at once', async () => {
    const job = await store.submit({
      type: 'counting',
      params: { items: 1, delayMs: 0 },
      maxAttempts: 5,
    });
    // Racing the worker: either it was still queued (cancelled now) or it already ran.
    const outcome = await store.requestCancel(job.id);
    expect(['cancelled', 'cancelling', 'finished']).toContain(outcome.kind);
    const final = await jobIn(job.id, 'cancelled', 'succeeded');
    if (outcome.kind === 'cancelled') expect(final.status).toBe('cancelled');
  });
});

describe('a signed completion callback', () => {
  let server: Server;
  let url: string;
  const received: { headers: IncomingHttpHeaders; body: Buffer; answered: number }[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        // Fails the first two deliveries, then accepts; /always-fail always fails.
        const answered = request.url === '/always-fail' || received.length < 2 ? 500 : 204;
        received.push({ headers: request.headers, body: Buffer.concat(chunks), answered });
        response.statusCode = answered;
        response.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/jobs`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('is retried with backoff until accepted, received once accepted, signature valid', async () => {
    const running = await startRuntime({
      schema: SCHEMA,
      topic: TOPIC,
      groupId: `jobs-it-${run}-cb`,
      settings: { callbackSecret: SECRET, callbackBaseDelayMs: 100, callbackMaxDelayMs: 400 },
    });
    try {
      const job = await submitCounting(3, 0, url);
      const delivered = await waitFor(async () => {
        const current = await store.get(job.id);
        return current?.callbackStatus === 'delivered' ? current : null;
      }, 'callback delivered');
      expect(delivered.callbackAttempts).toBe(3);
      // Nothing more arrives once it was accepted.
      await new Promise((resolve) => setTimeout(resolve, 800));
      const mine = received.filter((r) => r.headers['x-shopwire-job-id'] === job.id);
      expect(mine.map((r) => r.answered)).toEqual([500, 500, 204]);
      const accepted = mine[2];
      const signature = accepted.headers[CALLBACK_SIGNATURE_HEADER.toLowerCase()] as string;
      expect(verifyCallback(accepted.body, signature, SECRET)).toBe(true);
      expect(verifyCallback(accepted.body, signature, `${SECRET}-wrong`)).toBe(false);
      const body = JSON.parse(accepted.body.toString()) as {
        event: string;
        job: Record<string, unknown>;
      };
      expect(body.event).toBe('job.finished');
      expect(body.job).toMatchObject({ id: job.id, status: 'succeeded', type: 'counting' });
      expect(accepted.headers['x-shopwire-delivery-attempt']).toBe('3');
    } finally {
      await running.stop();
    }
  });

  it('gives up after JOBS_CALLBACK_MAX_ATTEMPTS and records why', async () => {
    const failing = url.replace('/hooks/jobs', '/always-fail');
    const running = await startRuntime({
      schema: SCHEMA,
      topic: TOPIC,
      groupId: `jobs-it-${run}-cbfail`,
      settings: {
        callbackSecret: SECRET,
        callbackBaseDelayMs: 50,
        callbackMaxDelayMs: 100,
        callbackMaxAttempts: 2,
      },
    });
    try {
      const job = await submitCounting(1, 0, failing);
      const gaveUp = await waitFor(async () => {
        const current = await store.get(job.id);
        return current?.callbackStatus === 'failed' ? current : null;
      }, 'callback given up');
      expect(gaveUp.callbackAttempts).toBe(2);
      expect(gaveUp.callbackLastError).toMatch(/HTTP 500/);
      expect(gaveUp.status).toBe('succeeded');
    } finally {
      await running.stop();
    }
  });

  it('a pending callback survives a restart: a new runtime delivers it', async () => {
    // A job that finished with its callback due, and no runtime running.
    const job = await submitCounting(1, 0, url);
    await db.query(
      `UPDATE "${SCHEMA}".jobs SET status = 'succeeded', finished_at = now(),
         result = '{"contentType":"text/plain","filename":null,"size":0,"summary":null}',
         callback_status = 'pending', callback_next_at = now()
       WHERE id = $1`,
      [job.id],
    );
    const running = await startRuntime({
      schema: SCHEMA,
      topic: TOPIC,
      groupId: `jobs-it-${run}-cb2`,
      settings: { callbackSecret: SECRET, callbackBaseDelayMs: 100, callbackMaxDelayMs: 400 },
    });
    try {
      await waitFor(
        async () => (await store.get(job.id))?.callbackStatus === 'delivered',
        'callback delivered after restart',
      );
      expect(
        received.filter((r) => r.headers['x-shopwire-job-id'] === job.id && r.answered === 204),
      ).toHaveLength(1);
    } finally {
      await running.stop();
    }
  });
});

describe('leases', () => {
  it('fence a worker that lost its lease out of every write', async () => {
    // A type no runtime knows: dispatches of it are skipped, so only this test touches it.
    const job = await store.submit({ type: 'orphan', params: {}, maxAttempts: 2 });
    const first = await store.claim(job.id, 'worker-1', 60_000);
    expect(first).toMatchObject({ status: 'running', leaseOwner: 'worker-1', attempts: 1 });
    expect(await store.claim(job.id, 'worker-2', 60_000)).toBeNull();
    await db.query(
      `UPDATE "${SCHEMA}".jobs SET lease_expires_at = now() - interval '1 second' WHERE id = $1`,
      [job.id],
    );
    const second = await store.claim(job.id, 'worker-2', 60_000);
    expect(second).toMatchObject({ leaseOwner: 'worker-2', attempts: 2 });
    await expect(store.progress(job.id, 'worker-1', 5, 10)).rejects.toThrow(JobAbortedError);
    await expect(
      store.step(job.id, 'worker-1', async ({ appendOutput }) => {
        appendOutput('never');
        return { checkpoint: 1 };
      }),
    ).rejects.toThrow(JobAbortedError);
    expect(await store.finish(job.id, 'worker-1', 'failed', null)).toBeNull();
    expect((await store.renew([job.id], 'worker-1', 60_000)).size).toBe(0);
    expect(await store.release(job.id, 'worker-1')).toBe(false);
    expect((await store.readOutput(job.id)).length).toBe(0);
    // Out of attempts: nobody can claim it again.
    await db.query(
      `UPDATE "${SCHEMA}".jobs SET lease_expires_at = now() - interval '1 second' WHERE id = $1`,
      [job.id],
    );
    expect(await store.claim(job.id, 'worker-3', 60_000)).toBeNull();
  });

  it('the reaper requeues a lost job, fails one out of attempts, ends a cancel-requested one', async () => {
    const lost = await store.submit({ type: 'orphan', params: {}, maxAttempts: 3 });
    const spent = await store.submit({ type: 'orphan', params: {}, maxAttempts: 1 });
    const cancelling = await store.submit({
      type: 'orphan',
      params: {},
      maxAttempts: 3,
      callbackUrl: 'http://127.0.0.1:9/never',
    });
    const ids = [lost.id, spent.id, cancelling.id];
    await db.query(
      `UPDATE "${SCHEMA}".jobs SET status = 'running', attempts = 1, lease_owner = 'gone',
         lease_expires_at = now() - interval '1 second' WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    await db.query(`UPDATE "${SCHEMA}".jobs SET cancel_requested_at = now() WHERE id = $1`, [
      cancelling.id,
    ]);
    const reaped = await store.reapExpired();
    expect(reaped.requeued.map((j) => j.id)).toContain(lost.id);
    expect(reaped.failed.map((j) => j.id)).toContain(spent.id);
    expect(reaped.cancelled.map((j) => j.id)).toContain(cancelling.id);
    expect(await store.get(lost.id)).toMatchObject({ status: 'queued', leaseOwner: null });
    expect(await store.get(spent.id)).toMatchObject({
      status: 'failed',
      error: { type: 'WorkerLost' },
    });
    const ended = await store.get(cancelling.id);
    expect(ended).toMatchObject({ status: 'cancelled', callbackStatus: 'pending' });
    expect(ended!.finishedAt).not.toBeNull();
    // The requeued job was dispatched again, in the same transaction.
    const [{ n }] = (await db.query(
      `SELECT count(*)::int AS n FROM "${SCHEMA}".outbox WHERE key = $1`,
      [lost.id],
    )) as { n: number }[];
    expect(n).toBe(2);
    // A second pass finds nothing of ours.
    const again = await store.reapExpired();
    expect([...again.requeued, ...again.failed, ...again.cancelled].map((j) => j.id)).not.toEqual(
      expect.arrayContaining([lost.id]),
    );
  });
});

describe('retention', () => {
  it('deletes old finished jobs with their outputs; keeps recent ones and pending callbacks', async () => {
    const old = await store.submit({ type: 'orphan', params: {}, maxAttempts: 1 });
    const oldPending = await store.submit({
      type: 'orphan',
      params: {},
      maxAttempts: 1,
      callbackUrl: 'http://127.0.0.1:9/never',
    });
    const oldQueued = await store.submit({ type: 'orphan', params: {}, maxAttempts: 1 });
    const recent = await store.submit({ type: 'orphan', params: {}, maxAttempts: 1 });
    await db.query(
      `UPDATE "${SCHEMA}".jobs SET created_at = now() - interval '40 days' WHERE id = ANY($1::uuid[])`,
      [[old.id, oldPending.id, oldQueued.id]],
    );
    await db.query(
      `UPDATE "${SCHEMA}".jobs SET status = 'succeeded', finished_at = now()
       WHERE id = ANY($1::uuid[])`,
      [[old.id, oldPending.id, recent.id]],
    );
    await db.query(`UPDATE "${SCHEMA}".jobs SET callback_status = 'pending' WHERE id = $1`, [
      oldPending.id,
    ]);
    await db.query(`INSERT INTO "${SCHEMA}".job_outputs (job_id, seq, data) VALUES ($1, 0, 'x')`, [
      old.id,
    ]);
    expect(await store.deleteExpired(30 * 86_400_000)).toBe(1);
    expect(await store.get(old.id)).toBeNull();
    expect((await store.readOutput(old.id)).length).toBe(0);
    for (const kept of [oldPending, oldQueued, recent]) {
      expect(await store.get(kept.id)).not.toBeNull();
    }
  });
});

describe('a graceful stop and the slots', () => {
  it('hands a running job back on stop; the next worker resumes it, each effect once', async () => {
    const groupId = `jobs-it-${run}-handback`;
    const first = await startRuntime({ schema: SCHEMA, topic: TOPIC, groupId });
    await waitFor(async () => first.joined(), 'consumer joined');
    const job = await submitCounting(30, 100);
    await waitFor(async () => ((await store.get(job.id))?.processed ?? 0) >= 3, 'midway');
    await first.stop();
    const handedBack = (await store.get(job.id))!;
    expect(handedBack).toMatchObject({ status: 'queued', leaseOwner: null, attempts: 1 });
    expect(handedBack.checkpoint).toEqual({ next: handedBack.processed });
    const second = await startRuntime({ schema: SCHEMA, topic: TOPIC, groupId });
    try {
      const done = await jobIn(job.id, 'succeeded', 'failed');
      expect(done).toMatchObject({ status: 'succeeded', attempts: 2 });
      expect(await effects(job.id)).toEqual({ rows: 30, distinct: 30 });
    } finally {
      await second.stop();
    }
  });

  it('runs at most JOBS_CONCURRENCY jobs at once; a dispatch waits for a slot', async () => {
    const running = await startRuntime({
      schema: SCHEMA,
      topic: TOPIC,
      groupId: `jobs-it-${run}-slots`,
      settings: { concurrency: 1 },
    });
    try {
      const jobs = [await submitCounting(5, 100), await submitCounting(5, 100)];
      const done = await Promise.all(jobs.map((job) => jobIn(job.id, 'succeeded', 'failed')));
      expect(done.map((job) => job.status)).toEqual(['succeeded', 'succeeded']);
      const [a, b] = [...done].sort((x, y) => x.startedAt!.getTime() - y.startedAt!.getTime());
      expect(b.startedAt!.getTime()).toBeGreaterThanOrEqual(a.finishedAt!.getTime());
    } finally {
      await running.stop();
    }
  });
});

describe('worker processes', () => {
  const children: ChildProcess[] = [];

  function startWorker(groupId: string): Promise<{ child: ChildProcess; owner: string }> {
    const child = spawn(
      process.execPath,
      [
        '-r',
        join(__dirname, 'fixtures/register-ts.js'),
        join(__dirname, 'fixtures/worker-process.ts'),
      ],
      {
        env: {
          ...process.env,
          JOBS_IT_SCHEMA: SCHEMA,
          JOBS_IT_TOPIC: TOPIC,
          JOBS_IT_GROUP: groupId,
          TEST_LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    children.push(child);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('worker did not get ready')), 90_000);
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /ready (\S+)/.exec(out);
        if (match) {
          clearTimeout(timer);
          resolve({ child, owner: match[1] });
        }
      });
      child.once('exit', (code) => reject(new Error(`worker exited early (${code})`)));
    });
  }

  afterAll(() => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  });

  it('share the jobs between two live workers, each job run once', async () => {
    const groupId = `jobs-it-${run}-pair`;
    const workers = [await startWorker(groupId), await startWorker(groupId)];
    // The second "ready" means the group rebalanced with both members.
    const jobs: JobRecord[] = [];
    for (let i = 0; i < 20; i++) jobs.push(await submitCounting(4, 20));
    const done = await Promise.all(jobs.map((job) => jobIn(job.id, 'succeeded', 'failed')));
    expect(done.every((job) => job.status === 'succeeded' && job.attempts === 1)).toBe(true);
    for (const job of jobs) expect(await effects(job.id)).toEqual({ rows: 4, distinct: 4 });
    const perWorker = (await db.query(
      `SELECT worker_pid, count(DISTINCT job_id)::int AS jobs FROM "${SCHEMA}".test_effects
       WHERE job_id = ANY($1::uuid[]) GROUP BY worker_pid`,
      [jobs.map((job) => job.id)],
    )) as { worker_pid: number; jobs: number }[];
    // Which worker runs a job is Kafka's partition assignment: both get some (20 jobs over 3
    // partitions split 2/1), and no job has effects from two workers.
    expect(perWorker.map((row) => row.worker_pid).sort()).toEqual(
      workers.map((w) => w.child.pid).sort(),
    );
    expect(perWorker.reduce((sum, row) => sum + row.jobs, 0)).toBe(20);
    for (const { child } of workers) {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  });

  it('resumes on another worker from its checkpoint, each effect exactly once', async () => {
    const groupId = `jobs-it-${run}-crash`;
    const first = await startWorker(groupId);
    const job = await submitCounting(40, 100);
    const before = await waitFor(async () => {
      const current = await store.get(job.id);
      return current?.leaseOwner === first.owner && current.processed >= 5 ? current : null;
    }, 'the first worker to be midway');
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    const killedAt = (await effects(job.id)).rows;
    expect(killedAt).toBeGreaterThanOrEqual(before.processed);
    expect(killedAt).toBeLessThan(40);

    const second = await startWorker(groupId);
    const done = await jobIn(job.id, 'succeeded', 'failed');
    expect(done.status).toBe('succeeded');
    expect(done.attempts).toBe(2);
    expect(await effects(job.id)).toEqual({ rows: 40, distinct: 40 });
    const output = (await store.readOutput(job.id)).toString();
    expect(output).toBe(Array.from({ length: 40 }, (_, i) => `item ${i}\n`).join(''));
    second.child.kill('SIGTERM');
    await new Promise((resolve) => second.child.once('exit', resolve));
  });
});

// Keeps the settings helper honest: the defaults the tests rely on.
it('test settings keep the tick well inside the lease', () => {
  const settings = testSettings();
  expect(settings.tickMs * 2).toBeLessThan(settings.leaseMs);
});
