import type { LineItemState, OrderState } from './order-payload';
import type { UpsertResult, WebhookMeta } from './orders.repository';

/** One event of a chunk that claimed its webhook id: what it would write. */
export interface ChunkEvent {
  meta: WebhookMeta;
  order: OrderState;
}

/** What a chunk leaves of one order: its newest applied state, written in one row. */
export interface OrderWrite {
  /** The last applied event's webhook: `last_webhook_id`, topic, receipt. */
  meta: WebhookMeta;
  order: OrderState;
  /** The last event that moved the order to a newer `updated_at`; null: the stored one stays. */
  versionWebhookId: string | null;
  /** The event that first stored the order cancelled; null: the stored one (if any) stays. */
  cancelledWebhookId: string | null;
  /** Events of this order in the chunk that were older than the stored state at their turn. */
  staleSkipped: number;
  /** The chunk's first event of this order inserts it. */
  inserted: boolean;
  /** The last applied event's lines that carried any; null: the stored lines stay. */
  lineItems: LineItemState[] | null;
}

export interface ChunkFold {
  writes: OrderWrite[];
  /** Orders all of whose events in the chunk were stale: only their skip counter moves. */
  staleOnly: { shopDomain: string; orderId: string; count: number }[];
  /**
   * Per event, the lines its domain events carry as they stood after it: its own or those of an
   * earlier event of the same order in the chunk; null when they are the stored lines.
   */
  lines: (LineItemState[] | null)[];
}

export const orderKey = (shopDomain: string, orderId: string): string =>
  `${shopDomain}\u0000${orderId}`;

/**
 * Folds a chunk's events, in order, into one write per order. `verdicts[i]` is what applying
 * event i one at a time would have returned (the chunk repository's plan, decided by Postgres
 * against the stored rows): stale events write nothing, and the last applied event of an order is
 * the state it is left in — the same rows the one-at-a-time path leaves.
 */
export function foldChunk(
  events: readonly ChunkEvent[],
  verdicts: readonly UpsertResult[],
): ChunkFold {
  const writes = new Map<string, OrderWrite>();
  const stale = new Map<string, { shopDomain: string; orderId: string; count: number }>();
  const current = new Map<string, LineItemState[] | null>();
  const lines: (LineItemState[] | null)[] = [];
  events.forEach(({ meta, order }, index) => {
    const verdict = verdicts[index];
    const key = orderKey(meta.shopDomain, order.id);
    if (verdict.outcome === 'stale') {
      const write = writes.get(key);
      if (write) write.staleSkipped += 1;
      else {
        const entry = stale.get(key) ?? {
          shopDomain: meta.shopDomain,
          orderId: order.id,
          count: 0,
        };
        entry.count += 1;
        stale.set(key, entry);
      }
      lines.push(null);
      return;
    }
    if (order.lineItems) current.set(key, order.lineItems);
    lines.push(current.get(key) ?? null);
    const previous = writes.get(key);
    writes.set(key, {
      meta,
      order,
      versionWebhookId: verdict.advanced ? meta.webhookId : (previous?.versionWebhookId ?? null),
      cancelledWebhookId: verdict.newlyCancelled
        ? meta.webhookId
        : (previous?.cancelledWebhookId ?? null),
      staleSkipped: (previous?.staleSkipped ?? 0) + (stale.get(key)?.count ?? 0),
      inserted: previous?.inserted ?? verdict.outcome === 'inserted',
      lineItems: current.get(key) ?? null,
    });
    stale.delete(key);
  });
  return { writes: [...writes.values()], staleOnly: [...stale.values()], lines };
}
