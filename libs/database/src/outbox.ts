import { injectTraceHeaders, type Context } from '@shopwire/observability';
import type { EntityManager, QueryRunner } from 'typeorm';
import { assertIdentifier, schemaOf } from './data-source';

// Transactions (by their query runner) that have already asked for the relay to be woken: one
// NOTIFY per transaction is enough, and saves a round trip for every further enqueue in a chunk.
const notified = new WeakSet<QueryRunner>();

/**
 * The transactional outbox: a service writes the messages it wants published into its own
 * `<schema>.outbox` table in the same transaction as the effect that caused them, so the effect
 * and its events commit (or vanish) together. `OutboxRelay` publishes the rows to Kafka afterwards
 * and marks them sent: at least once, in id order.
 */
export interface OutboxMessage {
  topic: string;
  /** Kafka message key, `<shop>/<aggregate id>`: the unit of ordering. */
  key: string;
  value: string | Buffer;
  headers?: Record<string, string>;
  /** The trace the message continues; the active context when absent. */
  trace?: Context;
}

/** The channel `enqueueOutbox` notifies on commit, so an idle relay wakes at once. */
export function outboxChannel(schema: string): string {
  return `shopwire_outbox_${assertIdentifier(schema)}`;
}

/**
 * Inserts `messages` into `<schema>.outbox` in the caller's transaction (schema from the
 * manager's data source), in array order: ids ascend in that order, and the relay publishes by id.
 *
 * Per-aggregate order holds when writers of one aggregate are serialised before they enqueue —
 * e.g. the effect updates (and so row-locks) the aggregate's row first, then enqueues. Ids come
 * from a sequence at insert time, not commit time; without that lock a later transaction could
 * take a smaller id for the same key and publish in the wrong order.
 */
export async function enqueueOutbox(
  manager: EntityManager,
  messages: OutboxMessage[],
): Promise<void> {
  if (messages.length === 0) return;
  const schema = schemaOf(manager);
  // One statement with array parameters whatever the count; WITH ORDINALITY keeps array order.
  await manager.query(
    `INSERT INTO "${schema}".outbox (topic, key, value, headers)
     SELECT m.topic, m.key, m.value, m.headers::jsonb
     FROM unnest($1::text[], $2::text[], $3::bytea[], $4::text[]) WITH ORDINALITY
          AS m(topic, key, value, headers, ord)
     ORDER BY m.ord`,
    [
      messages.map((m) => m.topic),
      messages.map((m) => m.key),
      messages.map((m) => (typeof m.value === 'string' ? Buffer.from(m.value, 'utf8') : m.value)),
      // The trace context (the message's own, else the active span applying the effect) travels
      // with the event, so its consumers' spans join the trace that began at the webhook.
      messages.map((m) => JSON.stringify(injectTraceHeaders({ ...m.headers }, m.trace))),
    ],
  );
  // Delivered only when (and if) the transaction commits; Postgres folds repeats within one
  // transaction anyway, so send it once.
  const runner = manager.queryRunner;
  if (runner && notified.has(runner) && runner.isTransactionActive) return;
  await manager.query('SELECT pg_notify($1, $2)', [outboxChannel(schema), '']);
  if (runner) notified.add(runner);
}

/**
 * DDL for `<schema>.outbox`, for each service's migration (`up` in order, `down` to revert).
 * The partial index covers exactly what the relay reads (unsent rows by id), so it stays small
 * however many sent rows wait for cleanup.
 */
export function outboxTableSql(schema: string): { up: string[]; down: string[] } {
  const s = assertIdentifier(schema);
  return {
    up: [
      `CREATE TABLE "${s}".outbox (
         id bigserial PRIMARY KEY,
         topic text NOT NULL,
         key text NOT NULL,
         value bytea NOT NULL,
         headers jsonb NOT NULL DEFAULT '{}'::jsonb,
         created_at timestamptz NOT NULL DEFAULT now(),
         sent_at timestamptz,
         attempts integer NOT NULL DEFAULT 0,
         last_error text
       )`,
      `CREATE INDEX outbox_unsent_idx ON "${s}".outbox (id) WHERE sent_at IS NULL`,
      `CREATE INDEX outbox_sent_at_idx ON "${s}".outbox (sent_at) WHERE sent_at IS NOT NULL`,
    ],
    down: [`DROP TABLE IF EXISTS "${s}".outbox`],
  };
}
