import type { DeliveryRecord } from '@shopwire/contracts';
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import {
  applyChunk,
  applyChunkTogether,
  createSchemaDataSource,
  deliveryJournalTableSql,
  DeliveryJournalWriter,
  hasDeliveryJournal,
  isDataError,
  journalStaleOutcomes,
  pruneInbox,
  MIN_INBOX_RETENTION_MS,
  type ChunkMode,
} from '../src';

// Real Postgres, a throwaway schema with an inbox, the journal (the migrations' DDL) and an
// effects table whose CHECK lets a test make one event's data unacceptable.
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `journal_test_${randomUUID().slice(0, 8)}`;
const CONSUMER = 'journal-test';
const GROUP = 'order';
const TOPIC = 'shopify.orders.v1';

let dataSource: DataSource;
let writer: DeliveryJournalWriter;
let nextOffset = 100;

const record = (eventId: string, extra: Partial<DeliveryRecord> = {}): DeliveryRecord => ({
  eventId,
  webhookId: eventId,
  shop: 'acme.myshopify.com',
  topic: 'orders/updated',
  resourceId: '9007199254740993',
  group: GROUP,
  kafka: { topic: TOPIC, partition: 2, offset: String(nextOffset++) },
  acceptedAt: new Date('2026-12-06T05:00:00.000Z'),
  attempts: 1,
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  ...extra,
});

interface Event {
  id: string;
  amount: number;
}

/** A handler written the way the services write theirs: claim and isolate through the mode. */
async function handle(manager: EntityManager, mode: ChunkMode, events: Event[]) {
  const outcomes: string[] = [];
  for (const event of events) {
    try {
      outcomes.push(
        await mode.isolate('journal_event', async () => {
          if (!(await mode.claim(CONSUMER, event.id))) return 'duplicate';
          await manager.query(`INSERT INTO ${schema}.effects (event_id, amount) VALUES ($1, $2)`, [
            event.id,
            event.amount,
          ]);
          return event.amount === 0 ? 'stale' : 'applied';
        }),
      );
    } catch (error) {
      if (!isDataError(error)) throw error;
      outcomes.push('rejected');
    }
  }
  return outcomes;
}

/** One chunk as the consumer transport runs it: the records in scope around the handler. */
const apply = (events: Event[], records: DeliveryRecord[] = events.map((e) => record(e.id))) =>
  writer.around(records, () =>
    applyChunk(
      dataSource,
      events.map((e) => ({ consumer: CONSUMER, eventId: e.id })),
      async (manager, mode) => {
        const outcomes = await handle(manager, mode, events);
        await journalStaleOutcomes(
          manager,
          events.map((e) => e.id),
          outcomes,
        );
        return outcomes;
      },
    ),
  );

interface JournalRow {
  event_id: string;
  consumer_group: string;
  kafka_topic: string;
  kafka_partition: number;
  kafka_offset: string;
  accepted_at: Date | null;
  webhook_id: string | null;
  shop: string | null;
  topic: string | null;
  resource_id: string | null;
  outcome: string;
  attempts: number;
  error: string | null;
  trace_id: string | null;
  duplicate_count: number;
  last_duplicate_at: Date | null;
}

async function journal(eventId: string): Promise<JournalRow | undefined> {
  const rows: JournalRow[] = await dataSource.query(
    `SELECT *, kafka_offset::text AS kafka_offset FROM ${schema}.delivery_journal WHERE event_id = $1`,
    [eventId],
  );
  expect(rows.length).toBeLessThanOrEqual(1);
  return rows[0];
}

beforeAll(async () => {
  dataSource = createSchemaDataSource({ url: DATABASE_URL, schema, poolSize: 2 });
  await dataSource.initialize();
  await dataSource.query(`CREATE SCHEMA ${schema}`);
  await dataSource.query(
    `CREATE TABLE ${schema}.inbox (consumer text, event_id text, processed_at timestamptz,
       PRIMARY KEY (consumer, event_id))`,
  );
  for (const sql of deliveryJournalTableSql(schema).up) await dataSource.query(sql);
  await dataSource.query(
    `CREATE TABLE ${schema}.effects (event_id text, amount int CHECK (amount >= 0))`,
  );
  writer = new DeliveryJournalWriter(dataSource);
});

afterAll(async () => {
  await dataSource.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await dataSource.destroy();
});

describe('the delivery journal, written by the inbox claim (real Postgres)', () => {
  it('records an applied delivery with its coordinates, times and trace', async () => {
    const r = record('j-applied');
    expect(await apply([{ id: 'j-applied', amount: 1 }], [r])).toEqual(['applied']);
    const row = await journal('j-applied');
    expect(row).toMatchObject({
      consumer_group: GROUP,
      kafka_topic: TOPIC,
      kafka_partition: 2,
      kafka_offset: r.kafka.offset,
      webhook_id: 'j-applied',
      shop: 'acme.myshopify.com',
      topic: 'orders/updated',
      resource_id: '9007199254740993',
      outcome: 'applied',
      attempts: 1,
      error: null,
      trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
      duplicate_count: 0,
    });
    expect(row!.accepted_at).toEqual(new Date('2026-12-06T05:00:00.000Z'));
  });

  it('counts a redelivery on the row of the applied one and changes nothing else', async () => {
    await apply([{ id: 'j-dup', amount: 1 }]);
    expect(await apply([{ id: 'j-dup', amount: 1 }])).toEqual(['duplicate']);
    expect(await apply([{ id: 'j-dup', amount: 1 }])).toEqual(['duplicate']);
    const row = await journal('j-dup');
    expect(row).toMatchObject({ outcome: 'applied', duplicate_count: 2 });
    expect(row!.last_duplicate_at).toBeInstanceOf(Date);
  });

  it('counts a copy inside the same chunk as a duplicate too', async () => {
    const copy = { id: 'j-twice', amount: 1 };
    expect(await apply([copy, copy, copy])).toEqual(['applied', 'duplicate', 'duplicate']);
    expect(await journal('j-twice')).toMatchObject({ outcome: 'applied', duplicate_count: 2 });
  });

  it('records the stale outcome a handler decided after its claim', async () => {
    expect(await apply([{ id: 'j-stale', amount: 0 }])).toEqual(['stale']);
    expect((await journal('j-stale'))!.outcome).toBe('stale');
  });

  it('writes nothing for an event the database refused (its claim was undone too)', async () => {
    expect(
      await apply([
        { id: 'j-ok', amount: 1 },
        { id: 'j-refused', amount: -1 },
      ]),
    ).toEqual(['applied', 'rejected']);
    expect((await journal('j-ok'))!.outcome).toBe('applied');
    expect(await journal('j-refused')).toBeUndefined();
  });

  it('journals the set-based path the same way, in the claim statement', async () => {
    const events = [
      { id: 'j-set-1', amount: 1 },
      { id: 'j-set-2', amount: 1 },
    ];
    await writer.around(
      events.map((e) => record(e.id)),
      () =>
        applyChunkTogether(
          dataSource,
          events.map((e) => ({ consumer: CONSUMER, eventId: e.id })),
          {
            together: async (_manager, claimed) => events.map((e) => claimed(CONSUMER, e.id)),
            oneByOne: async () => {
              throw new Error('not expected: no event is refused');
            },
          },
        ),
    );
    expect((await journal('j-set-1'))!.outcome).toBe('applied');
    expect((await journal('j-set-2'))!.outcome).toBe('applied');
  });

  it('turns a retrying delivery into an applied one when a later round succeeds', async () => {
    const first = record('j-retry');
    await writer.failed(first, 'retrying', 'QueryFailedError');
    expect(await journal('j-retry')).toMatchObject({
      outcome: 'retrying',
      attempts: 1,
      error: 'QueryFailedError',
    });
    // The re-run from the retry topic: same source coordinates, its second round.
    expect(await apply([{ id: 'j-retry', amount: 1 }], [{ ...first, attempts: 2 }])).toEqual([
      'applied',
    ]);
    expect(await journal('j-retry')).toMatchObject({
      outcome: 'applied',
      attempts: 2,
      error: null,
      kafka_offset: first.kafka.offset,
      duplicate_count: 0,
    });
  });

  it('records a dead letter, and never lets a failure overwrite an applied delivery', async () => {
    await writer.failed(record('j-dead', { attempts: 5 }), 'dead-lettered', 'malformed:payload');
    expect(await journal('j-dead')).toMatchObject({
      outcome: 'dead-lettered',
      attempts: 5,
      error: 'malformed:payload',
    });
    await apply([{ id: 'j-kept', amount: 1 }]);
    await writer.failed(record('j-kept'), 'dead-lettered', 'PermanentError');
    expect(await journal('j-kept')).toMatchObject({ outcome: 'applied', error: null });
  });

  it('writes no journal row outside a journaled chunk (the claim is as it was)', async () => {
    await applyChunk(dataSource, [{ consumer: CONSUMER, eventId: 'j-plain' }], (manager, mode) =>
      handle(manager, mode, [{ id: 'j-plain', amount: 1 }]),
    );
    expect(await journal('j-plain')).toBeUndefined();
  });

  it('notices a journal migrated after the service started, once the re-check is due', async () => {
    const late = `${schema}_late`;
    const other = createSchemaDataSource({ url: DATABASE_URL, schema: late, poolSize: 1 });
    await other.initialize();
    try {
      await other.query(`CREATE SCHEMA ${late}`);
      expect(await hasDeliveryJournal(other)).toBe(false);
      for (const sql of deliveryJournalTableSql(late).up) await other.query(sql);
      expect(await hasDeliveryJournal(other)).toBe(false); // believed for a while
      const now = Date.now();
      jest.spyOn(Date, 'now').mockReturnValue(now + 61_000);
      expect(await hasDeliveryJournal(other)).toBe(true);
    } finally {
      jest.restoreAllMocks();
      await other.query(`DROP SCHEMA IF EXISTS ${late} CASCADE`);
      await other.destroy();
    }
  });

  it('is pruned with the inbox, under the same retention', async () => {
    await apply([{ id: 'j-old', amount: 1 }]);
    await dataSource.query(
      `UPDATE ${schema}.delivery_journal SET processed_at = now() - interval '30 days'
        WHERE event_id = 'j-old'`,
    );
    const result = await pruneInbox(dataSource, {
      retentionMs: MIN_INBOX_RETENTION_MS,
      batchSize: 100,
      maxBatches: 10,
    });
    expect(result.journalDeleted).toBe(1);
    expect(await journal('j-old')).toBeUndefined();
    expect(await journal('j-applied')).toBeDefined();
  });
});
