import { jobsTopicOf, JobQueue } from '@shopwire/contracts';
import type { JobView } from '@shopwire/jobs';
import { provisionTopics } from '@shopwire/kafka';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import {
  DATABASE_URL,
  resetSchema,
  startApp,
  testKafka,
  TOKEN,
  uniqueShop,
  waitFor,
  type RunningApp,
} from './analytics-harness';

// The sales-report job end to end in the real analytics app: REST → job row + outbox → relay →
// shopwire.jobs.analytics.v1 → dispatch consumer → worker → result download. Real Postgres and
// Kafka; the dispatch topic is created here as `npm run provision` would.
const SHOP = uniqueShop();
const FROM = '2026-10-01';
const TO = '2026-10-30';
let app: RunningApp;
let db: Pool;

interface Response {
  statusCode: number;
  headers: Record<string, unknown>;
  body: string;
  json<T = JobView>(): T;
}

async function call(
  method: 'GET' | 'POST' | 'DELETE',
  url: string,
  body?: unknown,
  token: string | null = TOKEN,
): Promise<Response> {
  const response = await app.app.inject({
    method,
    url,
    headers: {
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    payload: body === undefined ? undefined : JSON.stringify(body),
  });
  return {
    statusCode: response.statusCode,
    headers: response.headers,
    body: response.body,
    json: <T>() => JSON.parse(response.body) as T,
  };
}

const report = (params: Record<string, unknown>) => ({
  type: 'sales-report',
  params: { shop: SHOP, from: FROM, to: TO, ...params },
});

async function jobCount(): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM analytics.jobs');
  return rows[0].n;
}

async function pollJob(
  location: string,
  until: (job: JobView) => boolean,
  what: string,
): Promise<JobView> {
  let last: JobView | undefined;
  await waitFor(async () => {
    const job = (await call('GET', location)).json();
    last = job;
    return until(job);
  }, what);
  return last!;
}

/** Sales on every third day, two currencies on some; what the report must contain. */
const DAYS = Array.from({ length: 30 }, (_, i) => `2026-10-${String(i + 1).padStart(2, '0')}`);
const SALES = DAYS.filter((_, i) => i % 3 === 0).flatMap((day, i) => [
  { day, currency: 'USD', orders: i + 1, gross: `${i + 1}0.50`, tax: `${i}.25`, discounts: '0' },
  ...(i % 2 === 0
    ? [{ day, currency: 'EUR', orders: 1, gross: '9.99', tax: '0', discounts: '1.00' }]
    : []),
]);

beforeAll(async () => {
  await resetSchema();
  db = new Pool({ connectionString: DATABASE_URL, max: 2 });
  const admin = testKafka().admin();
  await admin.connect();
  try {
    await provisionTopics(admin, [
      { topic: jobsTopicOf(JobQueue.Analytics), partitions: 6, replicationFactor: 1 },
    ]);
  } finally {
    await admin.disconnect();
  }
  for (const s of SALES) {
    await db.query(
      `INSERT INTO analytics.daily_sales (shop_domain, day, currency, orders, gross, tax, discounts)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [SHOP, s.day, s.currency, s.orders, s.gross, s.tax, s.discounts],
    );
  }
  const group = `analytics-it-${randomUUID()}`;
  app = await startApp(group, {
    JOBS_CONSUMER_GROUP: `${group}-jobs`,
    // One day per step and a few steps a second: slow enough to watch progress and cancel.
    SALES_REPORT_DAYS_PER_STEP: '1',
    JOBS_PACE_PER_SECOND: '10',
    JOBS_TICK_MS: '200',
    JOBS_LEASE_MS: '3000',
  });
  // startApp waited for every group on the transport, the jobs' dispatch group among them.
  expect(app.consumers.statuses.map((s) => s.groupId)).toContain(`${group}-jobs`);
});

afterAll(async () => {
  await app?.close();
  await db?.end();
});

it('refuses bad submissions with 400 and stores nothing; needs a token', async () => {
  const bad = [
    { type: 'no-such-job', params: {} },
    report({ from: '2026-10-31', to: '2026-10-01' }),
    report({ shop: 'not-a-shop' }),
    report({ format: 'xml' }),
    report({ from: '2025-01-01', to: '2026-10-01' }),
    { ...report({}), callbackUrl: 'https://receiver.example/hook' }, // no JOBS_CALLBACK_SECRET here
    { ...report({}), extra: true },
  ];
  for (const body of bad) {
    const response = await call('POST', '/jobs', body);
    expect({ body, status: response.statusCode }).toEqual({ body, status: 400 });
  }
  expect((await call('POST', '/jobs', report({}), null)).statusCode).toBe(401);
  expect((await call('GET', '/jobs', undefined, 'wrong-token-0123456789')).statusCode).toBe(401);
  expect(await jobCount()).toBe(0);
});

it('runs a CSV report with progress over the days, downloadable when done', async () => {
  const submitted = await call('POST', '/jobs', report({ format: 'csv' }));
  expect(submitted.statusCode).toBe(202);
  const location = submitted.headers.location as string;
  expect(location).toBe(`/jobs/${submitted.json().id}`);
  expect(submitted.json()).toMatchObject({ type: 'sales-report', status: 'queued' });

  const midway = await pollJob(
    location,
    (job) => job.status === 'running' && job.progress.processed > 0 && job.progress.processed < 30,
    'progress while running',
  );
  expect(midway.progress.total).toBe(30);
  expect((await call('GET', `${location}/result`)).statusCode).toBe(409);

  const done = await pollJob(
    location,
    (job) => ['succeeded', 'failed'].includes(job.status),
    'done',
  );
  expect(done).toMatchObject({ status: 'succeeded', progress: { processed: 30, total: 30 } });
  expect(done.result).toMatchObject({
    url: `${location}/result`,
    content_type: 'text/csv; charset=utf-8',
    summary: { days: 30, rows: SALES.length },
  });

  const result = await call('GET', `${location}/result`);
  expect(result.statusCode).toBe(200);
  expect(result.headers['content-type']).toBe('text/csv; charset=utf-8');
  expect(result.headers['content-disposition']).toMatch(
    /attachment; filename="sales-.*-2026-10-01-2026-10-30\.csv"/,
  );
  const expected = [...SALES]
    .sort((a, b) =>
      a.day === b.day ? a.currency.localeCompare(b.currency) : a.day.localeCompare(b.day),
    )
    .map((s) => `${s.day},${s.currency},${s.orders},${s.gross},${s.tax},${s.discounts}\n`)
    .join('');
  expect(result.body).toBe(`day,currency,orders,gross,tax,discounts\n${expected}`);
});

it('runs a JSON report', async () => {
  const submitted = await call(
    'POST',
    '/jobs',
    report({ format: 'json', from: '2026-10-01', to: '2026-10-07' }),
  );
  expect(submitted.statusCode).toBe(202);
  const location = submitted.headers.location as string;
  await pollJob(location, (job) => job.status === 'succeeded', 'json report done');
  const result = await call('GET', `${location}/result`);
  expect(result.headers['content-type']).toBe('application/json');
  const body = JSON.parse(result.body) as {
    shop: string;
    days: { day: string; currency: string }[];
  };
  expect(body.shop).toBe(SHOP);
  expect(body.days.map((d) => `${d.day}/${d.currency}`)).toEqual(
    SALES.filter((s) => s.day <= '2026-10-07')
      .sort((a, b) =>
        a.day === b.day ? a.currency.localeCompare(b.currency) : a.day.localeCompare(b.day),
      )
      .map((s) => `${s.day}/${s.currency}`),
  );
});

it('cancels a running report; lists, 404s and 409s', async () => {
  const submitted = await call('POST', '/jobs', report({}));
  const location = submitted.headers.location as string;
  await pollJob(
    location,
    (job) => job.status === 'running' && job.progress.processed >= 2,
    'running',
  );
  const cancel = await call('DELETE', location);
  expect(cancel.statusCode).toBe(202);
  expect(cancel.json()).toMatchObject({ status: 'running', cancel_requested: true });
  const cancelled = await pollJob(location, (job) => job.status !== 'running', 'cancelled');
  expect(cancelled.status).toBe('cancelled');
  expect(cancelled.progress.processed).toBeLessThan(30);
  expect((await call('DELETE', location)).statusCode).toBe(200);
  expect((await call('GET', `${location}/result`)).statusCode).toBe(409);

  const list = (await call('GET', '/jobs?type=sales-report&status=succeeded')).json<{
    jobs: JobView[];
  }>();
  expect(list.jobs.length).toBe(2);
  expect(list.jobs.every((job) => job.status === 'succeeded')).toBe(true);
  expect((await call('DELETE', `/jobs/${list.jobs[0].id}`)).statusCode).toBe(409);
  expect((await call('GET', '/jobs?status=bogus')).statusCode).toBe(400);
  expect((await call('GET', `/jobs/${randomUUID()}`)).statusCode).toBe(404);
  expect((await call('GET', '/jobs/not-a-uuid')).statusCode).toBe(400);

  const docs = JSON.parse((await app.app.inject({ method: 'GET', url: '/docs-json' })).body) as {
    paths: Record<string, Record<string, unknown>>;
  };
  expect(Object.keys(docs.paths['/jobs'])).toEqual(expect.arrayContaining(['get', 'post']));
  expect(Object.keys(docs.paths['/jobs/{id}'])).toEqual(expect.arrayContaining(['get', 'delete']));
  expect(docs.paths['/jobs/{id}/result']).toBeDefined();

  const metrics = await app.app.inject({ method: 'GET', url: '/metrics' });
  expect(metrics.body).toMatch(
    /shopwire_job_transitions_total\{[^}]*type="sales-report"[^}]*status="succeeded"/,
  );
});
