import type { EntityManager } from 'typeorm';
import { schemaOf } from './data-source';

/**
 * The inbox: one row per (consumer, event id) that has had its effect. Claiming inserts the row
 * in the caller's transaction; if the event was already handled the insert does nothing and the
 * caller skips the effect. Because the row and the effect commit together, a redelivered message
 * (Kafka at-least-once, or Shopify sending a webhook twice) changes nothing.
 *
 * Each schema has its own `inbox` table, created by that service's migrations:
 * `(consumer text, event_id text, processed_at timestamptz, PRIMARY KEY (consumer, event_id))`.
 */
export async function claimInbox(
  manager: EntityManager,
  consumer: string,
  eventId: string,
): Promise<boolean> {
  const schema = schemaOf(manager);
  const rows: unknown[] = await manager.query(
    `INSERT INTO "${schema}".inbox (consumer, event_id, processed_at)
     VALUES ($1, $2, now())
     ON CONFLICT (consumer, event_id) DO NOTHING
     RETURNING event_id`,
    [consumer, eventId],
  );
  return rows.length === 1;
}
