import type { EntityManager } from 'typeorm';
import { schemaOf } from './data-source';
import { claimWithJournalSql, deliveryRecordInScope, journalParameters } from './delivery-journal';

/**
 * The inbox: one row per (consumer, event id) that has had its effect. Claiming inserts the row
 * in the caller's transaction; if the event was already handled the insert does nothing and the
 * caller skips the effect. Because the row and the effect commit together, a redelivered message
 * (Kafka at-least-once, or Shopify sending a webhook twice) changes nothing.
 *
 * Each schema has its own `inbox` table, created by that service's migrations:
 * `(consumer text, event_id text, processed_at timestamptz, PRIMARY KEY (consumer, event_id))`.
 * A consumer service's schema also has `delivery_journal` (docs/adr/0011), written by the claim.
 */
export async function claimInbox(
  manager: EntityManager,
  consumer: string,
  eventId: string,
): Promise<boolean> {
  // The batch claim with one pair: the same single statement, and a journaled chunk's row too.
  return (await claimInboxBatch(manager, [{ consumer, eventId }])).size === 1;
}

/** One inbox row a chunk will need: the consumer name and the event id it dedupes on. */
export interface InboxClaim {
  consumer: string;
  eventId: string;
}

/**
 * Claims many inbox rows in one statement. Returns the pairs that were not there before; a pair
 * listed twice is returned once (the first occurrence is the one that applies). Inside a
 * journaled chunk (`withDeliveryRecords`), the same statement writes the claims' delivery journal
 * rows and counts their duplicates (docs/adr/0011): more columns, not more round trips.
 */
export async function claimInboxBatch(
  manager: EntityManager,
  claims: readonly InboxClaim[],
): Promise<Set<string>> {
  if (claims.length === 0) return new Set();
  const schema = schemaOf(manager);
  const journaled = claims.flatMap((claim) => {
    const record = deliveryRecordInScope(claim.eventId);
    return record ? [{ ...claim, record }] : [];
  });
  const parameters = [claims.map((c) => c.consumer), claims.map((c) => c.eventId)];
  const rows: { consumer: string; event_id: string }[] = await manager.query(
    journaled.length > 0
      ? claimWithJournalSql(schema)
      : `INSERT INTO "${schema}".inbox (consumer, event_id, processed_at)
         SELECT c, e, now() FROM unnest($1::text[], $2::text[]) AS t(c, e)
         ON CONFLICT (consumer, event_id) DO NOTHING
         RETURNING consumer, event_id`,
    journaled.length > 0 ? [...parameters, ...journalParameters(journaled)] : parameters,
  );
  return new Set(rows.map((r) => claimKey(r.consumer, r.event_id)));
}

/** How a claimed pair is named in the set `claimInboxBatch` returns. */
export const claimKey = (consumer: string, eventId: string) => `${consumer}\u0000${eventId}`;
