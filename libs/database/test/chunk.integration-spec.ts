import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { applyChunk, createSchemaDataSource, isDataError, type ChunkMode } from '../src';

// Real Postgres (db `test`), in a throwaway schema: an inbox and an effects table whose CHECK
// lets a test make one event's data unacceptable.
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `chunk_test_${randomUUID().slice(0, 8)}`;
const CONSUMER = 'chunk-test';

let dataSource: DataSource;

interface Event {
  id: string;
  amount: number;
}

type Outcome = 'applied' | 'duplicate' | 'rejected';

/** A handler written the way the services write theirs: claim and isolate through the mode. */
async function handle(manager: EntityManager, mode: ChunkMode, events: Event[]) {
  const outcomes: Outcome[] = [];
  for (const event of events) {
    try {
      outcomes.push(
        await mode.isolate('chunk_event', async () => {
          if (!(await mode.claim(CONSUMER, event.id))) return 'duplicate';
          await manager.query(`INSERT INTO ${schema}.effects (event_id, amount) VALUES ($1, $2)`, [
            event.id,
            event.amount,
          ]);
          return 'applied';
        }),
      );
    } catch (error) {
      if (!isDataError(error)) throw error;
      outcomes.push('rejected');
    }
  }
  return outcomes;
}

const apply = (events: Event[]) =>
  applyChunk(
    dataSource,
    events.map((e) => ({ consumer: CONSUMER, eventId: e.id })),
    (manager, mode) => handle(manager, mode, events),
  );

async function effects(): Promise<Record<string, number>> {
  const rows: { event_id: string; n: string }[] = await dataSource.query(
    `SELECT event_id, count(*) AS n FROM ${schema}.effects GROUP BY event_id`,
  );
  return Object.fromEntries(rows.map((r) => [r.event_id, Number(r.n)]));
}

beforeAll(async () => {
  dataSource = createSchemaDataSource({ url: DATABASE_URL, schema, poolSize: 2 });
  await dataSource.initialize();
  await dataSource.query(`CREATE SCHEMA ${schema}`);
  await dataSource.query(
    `CREATE TABLE ${schema}.inbox (consumer text, event_id text, processed_at timestamptz,
       PRIMARY KEY (consumer, event_id))`,
  );
  await dataSource.query(
    `CREATE TABLE ${schema}.effects (event_id text, amount int CHECK (amount >= 0))`,
  );
});

afterAll(async () => {
  await dataSource.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await dataSource.destroy();
});

describe('applyChunk (real Postgres)', () => {
  it('applies each event once, a repeat inside the chunk and a redelivered chunk included', async () => {
    const events = [
      { id: 'a1', amount: 1 },
      { id: 'a2', amount: 2 },
      { id: 'a1', amount: 1 },
    ];
    expect(await apply(events)).toEqual(['applied', 'applied', 'duplicate']);
    expect(await apply(events)).toEqual(['duplicate', 'duplicate', 'duplicate']);
    expect(await effects()).toMatchObject({ a1: 1, a2: 1 });
  });

  it('rejects only the event whose data the database refuses; the rest of the chunk commits', async () => {
    const events = [
      { id: 'b1', amount: 1 },
      { id: 'b2', amount: -5 }, // violates the CHECK: a data error
      { id: 'b3', amount: 3 },
    ];
    expect(await apply(events)).toEqual(['applied', 'rejected', 'applied']);
    const after = await effects();
    expect(after).toMatchObject({ b1: 1, b3: 1 });
    expect(after.b2).toBeUndefined();
    // The refused event left no inbox row, so a corrected redelivery would still apply.
    const inbox: unknown[] = await dataSource.query(
      `SELECT 1 FROM ${schema}.inbox WHERE event_id = 'b2'`,
    );
    expect(inbox).toHaveLength(0);
  });

  it('claims what the handler did not announce on its own, still once', async () => {
    const outcomes = await applyChunk(dataSource, [], (manager, mode) =>
      handle(manager, mode, [
        { id: 'c1', amount: 1 },
        { id: 'c1', amount: 1 },
      ]),
    );
    expect(outcomes).toEqual(['applied', 'duplicate']);
    expect((await effects()).c1).toBe(1);
  });

  it('lets an infrastructure error through untouched, with nothing committed', async () => {
    const failure = Object.assign(new Error('connection lost'), { code: '08006' });
    await expect(
      applyChunk(dataSource, [{ consumer: CONSUMER, eventId: 'd1' }], async (manager, mode) => {
        await handle(manager, mode, [{ id: 'd1', amount: 1 }]);
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect((await effects()).d1).toBeUndefined();
  });
});
