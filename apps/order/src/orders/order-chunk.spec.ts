import { foldChunk, type ChunkEvent } from './order-chunk';
import type { LineItemState, OrderState } from './order-payload';
import type { UpsertResult } from './orders.repository';

const SHOP = 'fold.myshopify.com';

const line = (id: string): LineItemState => ({
  id,
  productId: null,
  variantId: null,
  sku: null,
  title: null,
  quantity: 1,
  price: '1.00',
});

function event(
  webhookId: string,
  orderId: string,
  updatedAt: string,
  lineItems: LineItemState[] | null,
): ChunkEvent {
  const order = { id: orderId, updatedAt, lineItems } as OrderState;
  return {
    meta: { shopDomain: SHOP, webhookId, shopifyTopic: 'orders/updated', receivedAt: updatedAt },
    order,
  };
}

const inserted: UpsertResult = { outcome: 'inserted', advanced: true, newlyCancelled: false };
const advanced: UpsertResult = { outcome: 'updated', advanced: true, newlyCancelled: false };
const cancelled: UpsertResult = { outcome: 'updated', advanced: true, newlyCancelled: true };
const same: UpsertResult = { outcome: 'updated', advanced: false, newlyCancelled: false };
const stale: UpsertResult = { outcome: 'stale', advanced: false, newlyCancelled: false };

describe('foldChunk', () => {
  it('leaves each order in its last applied state, with the bookkeeping one-at-a-time leaves', () => {
    const events = [
      event('w1', '1', 'v1', [line('a')]),
      event('w2', '2', 'v5', null),
      event('w3', '1', 'v2', null), // cancels, carries no lines: the chunk's earlier ones
      event('w4', '1', 'v0', [line('x')]), // stale: neither its state nor its lines
      event('w5', '1', 'v2', null), // the same version again
    ];
    const fold = foldChunk(events, [inserted, stale, cancelled, stale, same]);
    expect(fold.writes).toEqual([
      expect.objectContaining({
        meta: events[4].meta,
        order: events[4].order,
        versionWebhookId: 'w3',
        cancelledWebhookId: 'w3',
        staleSkipped: 1,
        inserted: true,
        lineItems: [line('a')],
      }),
    ]);
    expect(fold.staleOnly).toEqual([{ shopDomain: SHOP, orderId: '2', count: 1 }]);
    expect(fold.lines).toEqual([[line('a')], null, [line('a')], null, [line('a')]]);
  });

  it('keeps the stored version, cancellation and lines when the chunk does not move them', () => {
    const events = [event('w1', '7', 'v1', null), event('w2', '7', 'v0', null)];
    const fold = foldChunk(events, [same, stale]);
    expect(fold.writes).toEqual([
      expect.objectContaining({
        versionWebhookId: null,
        cancelledWebhookId: null,
        staleSkipped: 1,
        inserted: false,
        lineItems: null,
      }),
    ]);
    expect(fold.lines).toEqual([null, null]);
  });

  it('carries stale events before the first applied one into its write', () => {
    const events = [event('w1', '8', 'v0', null), event('w2', '8', 'v3', [line('b')])];
    const fold = foldChunk(events, [stale, advanced]);
    expect(fold.staleOnly).toEqual([]);
    expect(fold.writes).toEqual([
      expect.objectContaining({ staleSkipped: 1, versionWebhookId: 'w2', lineItems: [line('b')] }),
    ]);
  });
});
