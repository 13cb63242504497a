import { createLogger } from '@shopwire/observability';
import { waitFor } from '@shopwire/testing';
import { randomUUID } from 'node:crypto';
import { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import {
  claimDue,
  OutboundDeliveryWorker,
  type DeliveryQueue,
  type LeasedTable,
  type OutboundDeliveryOptions,
} from '../src';

// The leased worker against real Postgres: a table of this run's own, workers in this process
// standing in for replicas, destinations that are functions failing or answering on command.
const SCHEMA = `outbound_it_${randomUUID().slice(0, 8)}`;
const TABLE = `"${SCHEMA}".deliveries`;
const logger = createLogger('outbound-it', process.env.TEST_LOG_LEVEL ?? 'silent');

interface Row {
  id: string;
  destination: string;
  attempts: number;
}

const SPEC: LeasedTable = {
  table: TABLE,
  key: ['id'],
  dueColumn: 'next_attempt_at',
  where: `c.status = 'pending'`,
  orderBy: 'c.next_attempt_at, c.id',
  returning: `t.id::text AS "id", t.destination, t.attempts`,
};

let db: DataSource;

/** What a destination does when called: answers, or throws. Replaced per test. */
let destinationCall: (row: Row, worker: string) => Promise<void>;

class HttpLikeError extends Error {
  constructor(
    readonly status: number,
    readonly retryAfterMs: number | null = null,
  ) {
    super(`answered ${status}`);
  }
}

function queue(worker: string, overrides: Partial<DeliveryQueue<Row, string>> = {}) {
  const q: DeliveryQueue<Row, string> = {
    name: 'test',
    claim: (limit, leaseMs) => claimDue<Row>(db, SPEC, limit, leaseMs),
    destination: (row) => row.destination,
    kind: () => 'thing',
    attempts: (row) => row.attempts,
    deliver: async (row, guard) => {
      await guard(() => destinationCall(row, worker));
      return worker;
    },
    describeFailure: (error) => ({
      summary: error instanceof HttpLikeError ? error.message : 'network',
      permanent: error instanceof HttpLikeError && error.status < 500,
      retryAfterMs: error instanceof HttpLikeError ? error.retryAfterMs : null,
    }),
    retry: { maxAttempts: 3, baseMs: 1000, capMs: 4000, floorMs: 500, maxRetryAfterMs: 60_000 },
    markDelivered: async (delivered) => {
      await db.query(
        `UPDATE ${TABLE} SET status = 'delivered', attempts = attempts + 1,
           delivered_by = m.by FROM unnest($1::bigint[], $2::text[]) AS m(id, by)
         WHERE ${TABLE}.id = m.id AND status = 'pending'`,
        [delivered.map((d) => d.row.id), delivered.map((d) => d.result)],
      );
    },
    markFailed: async (row, failed) => {
      await db.query(
        `UPDATE ${TABLE} SET attempts = $2, last_error = $3,
           status = CASE WHEN $4 THEN 'dead' ELSE 'pending' END,
           next_attempt_at = now() + make_interval(secs => $5::float8 / 1000)
         WHERE id = $1 AND status = 'pending'`,
        [row.id, failed.attempt, failed.error, failed.giveUp, failed.delayMs],
      );
    },
    release: async (row, delayMs, reason) => {
      await db.query(
        `UPDATE ${TABLE} SET last_error = coalesce($3, last_error),
           next_attempt_at = now() + make_interval(secs => $2::float8 / 1000)
         WHERE id = $1 AND status = 'pending'`,
        [row.id, delayMs, reason],
      );
    },
    backlog: async () =>
      (
        (await db.query(`SELECT status, count(*)::int AS n FROM ${TABLE} GROUP BY status`)) as {
          status: string;
          n: number;
        }[]
      ).filter((r) => r.status !== 'delivered'),
    ...overrides,
  };
  return q;
}

const workers: OutboundDeliveryWorker[] = [];

function worker(
  name: string,
  options: Partial<OutboundDeliveryOptions> & { queue?: Partial<DeliveryQueue<Row, string>> } = {},
) {
  const w = new OutboundDeliveryWorker({
    name,
    queues: [queue(name, options.queue)],
    batch: 5,
    pollMs: 50,
    leaseMs: 60_000,
    breaker: (destination) => ({
      name: `test:${destination}`,
      timeoutMs: 5000,
      volumeThreshold: 2,
      errorThresholdPercentage: 50,
      resetTimeoutMs: 400,
    }),
    logger,
    ...options,
  });
  workers.push(w);
  return w;
}

async function insert(count: number, destination = 'a'): Promise<string[]> {
  const rows = (await db.query(
    `INSERT INTO ${TABLE} (destination) SELECT $2 FROM generate_series(1, $1) RETURNING id::text`,
    [count, destination],
  )) as { id: string }[];
  return rows.map((r) => r.id);
}

async function rows(ids?: string[]) {
  return (await db.query(
    `SELECT id::text AS id, destination, status, attempts, last_error, delivered_by,
            (extract(epoch FROM next_attempt_at - now()) * 1000)::float8 AS due_in_ms,
            (extract(epoch FROM next_attempt_at) * 1000)::float8 AS due_at_ms
       FROM ${TABLE} WHERE $1::bigint[] IS NULL OR id = ANY($1::bigint[]) ORDER BY id`,
    [ids ?? null],
  )) as {
    id: string;
    destination: string;
    status: string;
    attempts: number;
    last_error: string | null;
    delivered_by: string | null;
    due_in_ms: number;
    /** next_attempt_at as epoch ms, to compare with the test's clock around a pass. */
    due_at_ms: number;
  }[];
}

beforeAll(async () => {
  db = new DataSource({
    type: 'postgres',
    url: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    extra: { max: 8 },
  });
  await db.initialize();
  await db.query(`CREATE SCHEMA "${SCHEMA}"`);
  await db.query(
    `CREATE TABLE ${TABLE} (
       id bigserial PRIMARY KEY, destination text NOT NULL,
       status text NOT NULL DEFAULT 'pending', attempts int NOT NULL DEFAULT 0,
       next_attempt_at timestamptz NOT NULL DEFAULT now(), last_error text, delivered_by text)`,
  );
});

afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop()));
  await db.query(`TRUNCATE ${TABLE}`);
});

afterAll(async () => {
  await db.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`).catch(() => undefined);
  await db.destroy();
});

describe('OutboundDeliveryWorker', () => {
  it('two workers contending for one table deliver every row exactly once between them', async () => {
    const calls = new Map<string, string[]>();
    destinationCall = async (row, by) => {
      calls.set(row.id, [...(calls.get(row.id) ?? []), by]);
      await new Promise((r) => setTimeout(r, 10));
    };
    const ids = await insert(60);
    worker('w1').start();
    worker('w2').start();
    await waitFor(async () => (await rows()).every((r) => r.status === 'delivered'), {
      what: 'every row delivered',
    });
    expect([...calls.values()].every((by) => by.length === 1)).toBe(true);
    expect(calls.size).toBe(ids.length);
    const by = (await rows()).map((r) => r.delivered_by);
    // both took a share: SKIP LOCKED let them claim side by side instead of queueing
    expect(by.filter((w) => w === 'w1').length).toBeGreaterThan(0);
    expect(by.filter((w) => w === 'w2').length).toBeGreaterThan(0);
    expect((await rows()).every((r) => r.attempts === 1)).toBe(true);
  });

  it("hands a dead worker's claim on once the lease has run out, not before", async () => {
    destinationCall = async () => undefined;
    const [id] = await insert(1);
    // the dead worker: claimed with a 1.5 s lease, then never marked anything
    expect(await claimDue<Row>(db, SPEC, 5, 1500)).toHaveLength(1);
    const survivor = worker('survivor');
    expect(await survivor.pass()).toBe(0);
    await new Promise((r) => setTimeout(r, 1700));
    expect(await survivor.pass()).toBe(1);
    expect(await rows([id!])).toMatchObject([{ status: 'delivered', delivered_by: 'survivor' }]);
  });

  it('opens the breaker of a failing destination only, releases its rows unattempted, and closes after a good trial', async () => {
    let down = true;
    const called: string[] = [];
    destinationCall = async (row) => {
      called.push(row.destination);
      if (row.destination === 'down' && down) throw new Error('ECONNREFUSED');
    };
    const registry = new Registry();
    const w = worker('w', { batch: 2, registry });
    await insert(2, 'down');
    expect(await w.pass()).toBe(2);
    expect(w.state('down')).toBe('open');
    const refused = await insert(2, 'down');
    const healthy = await insert(2, 'up');
    // The healthy destination's breaker is its own: its rows go through; down's are refused.
    await w.pass();
    await w.pass();
    expect((await rows(healthy)).map((r) => r.status)).toEqual(['delivered', 'delivered']);
    const held = await rows(refused);
    expect(held.map((r) => [r.status, r.attempts, r.last_error])).toEqual([
      ['pending', 0, 'test:down breaker open'],
      ['pending', 0, 'test:down breaker open'],
    ]);
    // due again after the breaker's reset time, not at once and not after a backoff
    for (const r of held) expect(r.due_in_ms).toBeGreaterThan(100);
    for (const r of held) expect(r.due_in_ms).toBeLessThanOrEqual(400);
    expect(called.filter((d) => d === 'down')).toHaveLength(2);
    const results = (await registry.getSingleMetric('shopwire_outbound_deliveries_total')!.get())
      .values;
    expect(results.find((v) => v.labels.result === 'breaker_open')?.value).toBe(2);

    down = false;
    await new Promise((r) => setTimeout(r, 450));
    expect(w.state('down')).toBe('half-open');
    await waitFor(async () => {
      await w.pass();
      return (await rows(refused)).every((r) => r.status === 'delivered');
    });
    expect(w.state('down')).toBe('closed');
  });

  it('with one fixed destination, an open breaker leaves the rows unclaimed', async () => {
    destinationCall = async () => {
      throw new Error('ETIMEDOUT');
    };
    const w = worker('w', { queue: { destination: 'relay' } });
    await insert(2);
    await w.pass();
    expect(w.state('relay')).toBe('open');
    await db.query(`UPDATE ${TABLE} SET next_attempt_at = now()`);
    expect(await w.pass()).toBe(0);
    expect(w.health('relay')).toMatchObject({ state: 'open' });
  });

  it('backs off with jitter between the floor and the cap, honours Retry-After, and gives up', async () => {
    const [slow, asked, refused] = await insert(3);
    destinationCall = async (row) => {
      if (row.id === asked) throw new HttpLikeError(503, 30_000);
      if (row.id === refused) throw new HttpLikeError(422);
      throw new Error('ECONNRESET');
    };
    // a breaker that never opens: this test is about the rows
    const w = worker('w', {
      breaker: (d) => ({ name: d, timeoutMs: 5000, volumeThreshold: 1000 }),
    });
    const beforePass = Date.now();
    await w.pass();
    const afterPass = Date.now();
    const [first, second, third] = await rows([slow!, asked!, refused!]);
    expect(first).toMatchObject({ status: 'pending', attempts: 1, last_error: 'network' });
    // attempt 1: jitter in [0, 1000), never sooner than the 500 ms floor — measured from the pass
    // that marked it (bounded by the clock around it), not from whenever the rows were read.
    expect(first!.due_at_ms).toBeGreaterThanOrEqual(beforePass + 500 - 5);
    expect(first!.due_at_ms).toBeLessThan(afterPass + 1000 + 5);
    expect(second).toMatchObject({ status: 'pending', attempts: 1 });
    expect(second!.due_in_ms).toBeGreaterThan(29_000);
    // a permanent failure is given up at once
    expect(third).toMatchObject({ status: 'dead', attempts: 1, last_error: 'answered 422' });

    // attempts 2 and 3: the backoff grows within the 4 s cap; the third failure is the last
    await db.query(`UPDATE ${TABLE} SET next_attempt_at = now() WHERE id = $1`, [slow]);
    await w.pass();
    const [again] = await rows([slow!]);
    expect(again).toMatchObject({ status: 'pending', attempts: 2 });
    expect(again!.due_in_ms).toBeLessThan(2100);
    await db.query(`UPDATE ${TABLE} SET next_attempt_at = now() WHERE id = $1`, [slow]);
    await w.pass();
    expect(await rows([slow!])).toMatchObject([{ status: 'dead', attempts: 3 }]);
  });

  it('stop() lets the delivery in flight finish and be marked, and hands back what it claimed meanwhile', async () => {
    let release!: () => void;
    const inFlight = new Promise<void>((r) => (release = r));
    destinationCall = () => inFlight;
    const [busy] = await insert(1);
    const w = worker('w');
    w.start();
    await waitFor(async () => (await rows([busy!]))[0]!.due_in_ms > 1000, {
      what: 'the row claimed',
    });
    const stopped = w.stop();
    let done = false;
    void stopped.then(() => (done = true));
    await new Promise((r) => setTimeout(r, 200));
    expect(done).toBe(false);
    release();
    await stopped;
    expect(await rows([busy!])).toMatchObject([{ status: 'delivered', attempts: 1 }]);

    // a claim that returns after stop() was called: released at once, unattempted
    const [late] = await insert(1);
    let stopping: Promise<void> | null = null;
    const racing = worker('racing', {
      queue: {
        claim: async (limit, leaseMs) => {
          const claimed = await claimDue<Row>(db, SPEC, limit, leaseMs);
          stopping ??= racing.stop();
          return claimed;
        },
      },
    });
    racing.start();
    await waitFor(() => stopping !== null);
    await stopping;
    const [handedBack] = await rows([late!]);
    expect(handedBack).toMatchObject({ status: 'pending', attempts: 0 });
    expect(handedBack!.due_in_ms).toBeLessThanOrEqual(0);
  });

  it('backs its poll off while idle, wakes at once on wake(), and looks for its own retries when due', async () => {
    let claims = 0;
    const counted = queue('w', {
      claim: (limit, leaseMs) => {
        claims++;
        return claimDue<Row>(db, SPEC, limit, leaseMs);
      },
    });
    const w = worker('w', { idlePollMaxMs: 8000, queue: counted });
    w.start();
    // Idle: 50, 100, 200, 400, 800 ms between looks — not one every 50 ms (24 in 1.2 s).
    await new Promise((r) => setTimeout(r, 1200));
    expect(claims).toBeGreaterThanOrEqual(4);
    expect(claims).toBeLessThanOrEqual(7);

    destinationCall = async () => undefined;
    const [fresh] = await insert(1);
    const woken = Date.now();
    w.wake();
    await waitFor(async () => (await rows([fresh!]))[0]!.status === 'delivered', {
      intervalMs: 10,
    });
    expect(Date.now() - woken).toBeLessThan(300);

    // A retry this worker scheduled is looked for when due, not at the end of an idle wait.
    let failures = 0;
    destinationCall = async () => {
      if (failures++ === 0) throw new HttpLikeError(503, 3500);
    };
    const [retried] = await insert(1);
    w.wake();
    await waitFor(async () => (await rows([retried!]))[0]!.attempts === 1, { intervalMs: 10 });
    const failedAt = Date.now();
    await waitFor(async () => (await rows([retried!]))[0]!.status === 'delivered', {
      intervalMs: 10,
    });
    // Due after exactly 3500 ms (Retry-After beats the backoff's < 1000 ms); looks backing off
    // from the failed pass alone (50, 100, 200, …, 3200 ms: at 3150, then 6350 ms) would find it
    // only after 6350 ms. The bound leaves 2 s for a loaded machine and still tells them apart.
    expect(Date.now() - failedAt).toBeLessThan(3500 + 2000);
  });

  it('samples the backlog by status, a status that emptied going to 0', async () => {
    destinationCall = async () => undefined;
    const registry = new Registry();
    await insert(3);
    // not due for a moment: the first sample sees them pending
    await db.query(`UPDATE ${TABLE} SET next_attempt_at = now() + interval '300 milliseconds'`);
    const w = worker('w', { registry, backlogSampleMs: 0 });
    w.start();
    await waitFor(async () => {
      const values = (await registry.getSingleMetric('shopwire_outbound_backlog')!.get()).values;
      return values.find((v) => v.labels.status === 'pending')?.value === 3;
    });
    await waitFor(async () => (await rows()).every((r) => r.status === 'delivered'));
    await waitFor(async () => {
      const values = (await registry.getSingleMetric('shopwire_outbound_backlog')!.get()).values;
      return values.find((v) => v.labels.status === 'pending')?.value === 0;
    });
  });
});
