import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import {
  applyChunk,
  applyChunkTogether,
  createSchemaDataSource,
  isDataError,
  RedoCarefully,
  type ChunkMode,
} from '../src';

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

describe('applyChunkTogether (real Postgres)', () => {
  /** A set-based handler: every fresh event of the chunk in one multi-row insert. */
  const together =
    (events: Event[], onTogether: () => void = () => undefined) =>
    async (manager: EntityManager, claimed: (consumer: string, eventId: string) => boolean) => {
      onTogether();
      const fresh = events.map((e) => claimed(CONSUMER, e.id));
      const rows = events.filter((_, index) => fresh[index]);
      await manager.query(
        `INSERT INTO ${schema}.effects (event_id, amount)
         SELECT * FROM unnest($1::text[], $2::int[])`,
        [rows.map((e) => e.id), rows.map((e) => e.amount)],
      );
      return fresh.map((f): Outcome => (f ? 'applied' : 'duplicate'));
    };

  const applyTogether = (events: Event[], onTogether?: () => void) =>
    applyChunkTogether(
      dataSource,
      events.map((e) => ({ consumer: CONSUMER, eventId: e.id })),
      {
        together: together(events, onTogether),
        oneByOne: (manager, mode) => handle(manager, mode, events),
      },
    );

  it('applies the chunk in one go, each event once, a repeat and a redelivery included', async () => {
    const events = [
      { id: 't1', amount: 1 },
      { id: 't2', amount: 2 },
      { id: 't1', amount: 1 },
    ];
    expect(await applyTogether(events)).toEqual(['applied', 'applied', 'duplicate']);
    expect(await applyTogether(events)).toEqual(['duplicate', 'duplicate', 'duplicate']);
    expect(await effects()).toMatchObject({ t1: 1, t2: 1 });
  });

  it('redoes a chunk Postgres refuses one event at a time: only that event is rejected', async () => {
    let attempts = 0;
    const events = [
      { id: 'u1', amount: 1 },
      { id: 'u2', amount: -5 }, // violates the CHECK: the multi-row insert fails as a whole
      { id: 'u3', amount: 3 },
    ];
    expect(await applyTogether(events, () => (attempts += 1))).toEqual([
      'applied',
      'rejected',
      'applied',
    ]);
    expect(attempts).toBe(1);
    const after = await effects();
    expect(after).toMatchObject({ u1: 1, u3: 1 });
    expect(after.u2).toBeUndefined();
    const inbox: unknown[] = await dataSource.query(
      `SELECT 1 FROM ${schema}.inbox WHERE event_id = ANY($1)`,
      [['u1', 'u2', 'u3']],
    );
    expect(inbox).toHaveLength(2);
  });

  it('takes the careful path when the handler asks for it, with nothing of the first try kept', async () => {
    const events = [{ id: 'v1', amount: 1 }];
    const outcomes = await applyChunkTogether(dataSource, [{ consumer: CONSUMER, eventId: 'v1' }], {
      together: async (manager, claimed) => {
        await together(events)(manager, claimed);
        throw new RedoCarefully(null, 'plan went stale');
      },
      oneByOne: (manager, mode) => handle(manager, mode, events),
    });
    expect(outcomes).toEqual(['applied']);
    expect((await effects()).v1).toBe(1);
  });

  it('lets an infrastructure error through untouched, with nothing committed', async () => {
    const failure = Object.assign(new Error('connection lost'), { code: '08006' });
    await expect(
      applyChunkTogether(dataSource, [{ consumer: CONSUMER, eventId: 'w1' }], {
        together: async (manager, claimed) => {
          await together([{ id: 'w1', amount: 1 }])(manager, claimed);
          throw failure;
        },
        oneByOne: () => Promise.reject(new Error('not the careful path')),
      }),
    ).rejects.toBe(failure);
    expect((await effects()).w1).toBeUndefined();
  });
});
