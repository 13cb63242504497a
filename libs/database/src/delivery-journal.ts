import type { DeliveryOutcome, DeliveryRecord } from '@shopwire/contracts';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { DataSource, EntityManager } from 'typeorm';
import { assertIdentifier, schemaOf } from './data-source';

/**
 * The delivery journal's write side (docs/adr/0011): `<schema>.delivery_journal`, one row per
 * (consumer group, source topic, event id), next to the inbox it mirrors.
 *
 * A first delivery's row is written by the inbox claim's own statement (`claimInboxBatch`): the
 * claim finds its message's record in the chunk's scope, entered by the consumer transport
 * around the handler (`DeliveryJournalWriter.around`). The claim is made deep inside each
 * service's handler by (consumer, event id); carrying Kafka coordinates through five services'
 * event types would touch every handler, a scope keyed by event id touches none.
 */

interface DeliveryScope {
  byEventId: ReadonlyMap<string, DeliveryRecord>;
}

const scope = new AsyncLocalStorage<DeliveryScope>();

/** The record of `eventId` in the current chunk's scope, if the chunk is journaled. */
export function deliveryRecordInScope(eventId: string): DeliveryRecord | undefined {
  return scope.getStore()?.byEventId.get(eventId);
}

/** Runs `work` with `records` in scope: inbox claims inside it write their journal rows. */
export function withDeliveryRecords<T>(
  records: readonly DeliveryRecord[],
  work: () => Promise<T>,
): Promise<T> {
  const byEventId = new Map<string, DeliveryRecord>();
  for (const record of records)
    if (!byEventId.has(record.eventId)) byEventId.set(record.eventId, record);
  return scope.run({ byEventId }, work);
}

/** The journal columns of claims, as array parameters (one element per journaled claim). */
export function journalParameters(
  claims: readonly { consumer: string; eventId: string; record: DeliveryRecord }[],
): unknown[] {
  const r = claims.map((c) => c.record);
  return [
    claims.map((c) => c.consumer),
    claims.map((c) => c.eventId),
    r.map((x) => x.group),
    r.map((x) => x.kafka.topic),
    r.map((x) => x.kafka.partition),
    r.map((x) => x.kafka.offset),
    r.map((x) => x.acceptedAt?.toISOString() ?? null),
    r.map((x) => x.webhookId),
    r.map((x) => x.shop),
    r.map((x) => x.topic),
    r.map((x) => x.resourceId),
    r.map((x) => x.attempts),
    r.map((x) => x.traceId),
  ];
}

/**
 * The claim statement with its journal rows: one round trip, as the claim alone was. `$1, $2`
 * are the claims; `$3…$15` the journaled ones (`journalParameters`). A fresh claim writes its row
 * as `applied` — or turns the row a failed round left (`retrying`, `dead-lettered`) into it; a
 * claim that hit the inbox's conflict counts a duplicate on its row.
 */
export function claimWithJournalSql(schema: string): string {
  const s = assertIdentifier(schema);
  return `WITH fresh AS (
     INSERT INTO "${s}".inbox (consumer, event_id, processed_at)
     SELECT c, e, now() FROM unnest($1::text[], $2::text[]) AS t(c, e)
     ON CONFLICT (consumer, event_id) DO NOTHING
     RETURNING consumer, event_id),
   journal AS (
     SELECT * FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::bigint[],
                          $9::timestamptz[], $10::text[], $11::text[], $12::text[], $13::text[],
                          $14::int[], $15::text[]) WITH ORDINALITY
       AS j(consumer, event_id, consumer_group, kafka_topic, kafka_partition, kafka_offset,
            accepted_at, webhook_id, shop, topic, resource_id, attempts, trace_id, ord)),
   recorded AS (
     INSERT INTO "${s}".delivery_journal AS d (consumer_group, kafka_topic, event_id,
       kafka_partition, kafka_offset, accepted_at, webhook_id, shop, topic, resource_id,
       processed_at, outcome, attempts, trace_id, duplicate_count, last_duplicate_at)
     SELECT consumer_group, kafka_topic, event_id, kafka_partition, kafka_offset, accepted_at,
            webhook_id, shop, topic, resource_id, now(), 'applied', attempts, trace_id,
            repeats, CASE WHEN repeats > 0 THEN now() END
       FROM (SELECT DISTINCT ON (j.consumer_group, j.kafka_topic, j.event_id) j.*,
                    -- later copies of the pair in this same chunk: duplicates too
                    count(*) OVER (PARTITION BY j.consumer_group, j.kafka_topic, j.event_id) - 1
                      AS repeats
               FROM journal j JOIN fresh f ON f.consumer = j.consumer AND f.event_id = j.event_id
              ORDER BY j.consumer_group, j.kafka_topic, j.event_id, j.ord) AS first
      -- Ids in the chunk's order: rows of one transaction share processed_at, the id breaks ties.
      ORDER BY ord
     ON CONFLICT (consumer_group, kafka_topic, event_id) DO UPDATE
       SET outcome = 'applied', processed_at = now(), attempts = EXCLUDED.attempts,
           error = NULL, trace_id = COALESCE(d.trace_id, EXCLUDED.trace_id),
           duplicate_count = d.duplicate_count + EXCLUDED.duplicate_count,
           last_duplicate_at = COALESCE(EXCLUDED.last_duplicate_at, d.last_duplicate_at)
     RETURNING 1),
   duplicates AS (
     UPDATE "${s}".delivery_journal AS d
        SET duplicate_count = d.duplicate_count + 1, last_duplicate_at = now()
       FROM journal j
      WHERE d.consumer_group = j.consumer_group AND d.kafka_topic = j.kafka_topic
        AND d.event_id = j.event_id
        AND NOT EXISTS (SELECT 1 FROM fresh f WHERE f.consumer = j.consumer AND f.event_id = j.event_id)
     RETURNING 1)
   SELECT consumer, event_id FROM fresh`;
}

/**
 * Records the outcome a handler decided after its claim (`stale`) on the rows of the current
 * chunk's scope: one statement for the chunk, and none when there is nothing to record.
 */
export async function recordDeliveryOutcomes(
  manager: EntityManager,
  eventIds: readonly string[],
  outcome: Extract<DeliveryOutcome, 'stale'>,
): Promise<void> {
  const records = eventIds.flatMap((id) => deliveryRecordInScope(id) ?? []);
  if (records.length === 0) return;
  await manager.query(
    `UPDATE "${schemaOf(manager)}".delivery_journal AS d SET outcome = $4
       FROM unnest($1::text[], $2::text[], $3::text[]) AS j(consumer_group, kafka_topic, event_id)
      WHERE d.consumer_group = j.consumer_group AND d.kafka_topic = j.kafka_topic
        AND d.event_id = j.event_id`,
    [
      records.map((r) => r.group),
      records.map((r) => r.kafka.topic),
      records.map((r) => r.eventId),
      outcome,
    ],
  );
}

/**
 * For a handler that decides one outcome per event: journals as stale the events whose outcome
 * (same index as their id) is `'stale'`.
 */
export function journalStaleOutcomes(
  manager: EntityManager,
  eventIds: readonly string[],
  outcomes: readonly string[],
): Promise<void> {
  return recordDeliveryOutcomes(
    manager,
    eventIds.filter((_, index) => outcomes[index] === 'stale'),
    'stale',
  );
}

/**
 * DDL of `<schema>.delivery_journal`, for each consumer service's migration. Every index serves a
 * filter of `GET /deliveries` read newest first by (processed_at, id); measured in
 * docs/observability.md.
 */
export function deliveryJournalTableSql(schema: string): { up: string[]; down: string[] } {
  const s = assertIdentifier(schema);
  return {
    up: [
      `CREATE TABLE "${s}".delivery_journal (
         id bigserial NOT NULL,
         consumer_group text NOT NULL,
         kafka_topic text NOT NULL,
         event_id text NOT NULL,
         kafka_partition integer NOT NULL,
         kafka_offset bigint NOT NULL,
         accepted_at timestamptz,
         processed_at timestamptz NOT NULL DEFAULT now(),
         webhook_id text,
         shop text,
         topic text,
         resource_id text,
         outcome text NOT NULL CHECK (outcome IN ('applied', 'stale', 'retrying', 'dead-lettered')),
         attempts integer NOT NULL DEFAULT 1,
         error text,
         trace_id text,
         duplicate_count integer NOT NULL DEFAULT 0,
         last_duplicate_at timestamptz,
         PRIMARY KEY (consumer_group, kafka_topic, event_id)
       )`,
      // Every shop, newest first; also the pruner's scan.
      `CREATE INDEX delivery_journal_processed_idx ON "${s}".delivery_journal (processed_at, id)`,
      `CREATE INDEX delivery_journal_shop_idx ON "${s}".delivery_journal (shop, processed_at, id)`,
      `CREATE INDEX delivery_journal_webhook_idx ON "${s}".delivery_journal (webhook_id)`,
      // Shopify ids are unique across shops: no shop prefix needed to find one resource.
      `CREATE INDEX delivery_journal_resource_idx
         ON "${s}".delivery_journal (resource_id, processed_at, id)`,
      // Only the rows worth looking for by outcome: a small index however many were applied.
      `CREATE INDEX delivery_journal_outcome_idx ON "${s}".delivery_journal
         (outcome, processed_at, id) WHERE outcome <> 'applied'`,
      `CREATE INDEX delivery_journal_duplicate_idx ON "${s}".delivery_journal
         (processed_at, id) WHERE duplicate_count > 0`,
    ],
    down: [`DROP TABLE IF EXISTS "${s}".delivery_journal`],
  };
}

const journalExists = new WeakMap<DataSource, { present: Promise<boolean>; at: number }>();
/** How long "no journal" is believed: a service may start before its migration job has run. */
const ABSENT_RECHECK_MS = 60_000;
const ABSENT = Promise.resolve(false);

/** Whether the data source's schema has a journal (a schema migrated before it has none). */
export function hasDeliveryJournal(dataSource: DataSource): Promise<boolean> {
  const known = journalExists.get(dataSource);
  if (known && (known.present !== ABSENT || Date.now() - known.at < ABSENT_RECHECK_MS)) {
    return known.present;
  }
  const present = dataSource
    .query(`SELECT to_regclass($1) IS NOT NULL AS present`, [
      `"${schemaOf(dataSource)}".delivery_journal`,
    ])
    .then((rows: { present: boolean }[]) => rows[0].present);
  const entry = { present, at: Date.now() };
  journalExists.set(dataSource, entry);
  // Settled: an absent journal is asked again after a while, a failed look-up (database down)
  // next time; a present one never again.
  present.then(
    (found) => {
      if (!found) entry.present = ABSENT;
    },
    () => journalExists.delete(dataSource),
  );
  return present;
}

/**
 * What the consumer transport calls (`ChunkConsumerTransportOptions.journal`): the chunk's
 * records in scope around its handler, and a small write of its own when the failure router
 * parks a message — a rare path, so a statement of its own costs nothing that matters.
 */
export class DeliveryJournalWriter {
  constructor(private readonly dataSource: DataSource) {}

  async around<T>(records: readonly DeliveryRecord[], work: () => Promise<T>): Promise<T> {
    if (records.length === 0 || !(await hasDeliveryJournal(this.dataSource))) return work();
    return withDeliveryRecords(records, work);
  }

  /**
   * A message sent to the retry topic or the DLQ. Never overwrites an `applied` or `stale` row:
   * a duplicate of an applied webhook that then fails does not undo what the journal says.
   */
  async failed(
    record: DeliveryRecord,
    outcome: Extract<DeliveryOutcome, 'retrying' | 'dead-lettered'>,
    errorClass: string,
  ): Promise<void> {
    if (!(await hasDeliveryJournal(this.dataSource))) return;
    const s = schemaOf(this.dataSource);
    await this.dataSource.query(
      `INSERT INTO "${s}".delivery_journal AS d (consumer_group, kafka_topic, event_id,
         kafka_partition, kafka_offset, accepted_at, webhook_id, shop, topic, resource_id,
         processed_at, outcome, attempts, error, trace_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, now(), $11, $12, $13, $14)
       ON CONFLICT (consumer_group, kafka_topic, event_id) DO UPDATE
         SET outcome = EXCLUDED.outcome, attempts = EXCLUDED.attempts, error = EXCLUDED.error,
             processed_at = now()
       WHERE d.outcome IN ('retrying', 'dead-lettered')`,
      [
        record.group,
        record.kafka.topic,
        record.eventId,
        record.kafka.partition,
        record.kafka.offset,
        record.acceptedAt?.toISOString() ?? null,
        record.webhookId,
        record.shop,
        record.topic,
        record.resourceId,
        outcome,
        record.attempts,
        errorClass.slice(0, 100),
        record.traceId,
      ],
    );
  }
}
