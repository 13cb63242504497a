import { decodeWebhookMessage } from '@shopwire/contracts';
import { parseShopifyJson } from '@shopwire/shopify';
import { compareLevels, correctionMessage, levelKey, type ShopifyLevel } from './inventory-drift';
import type { ServiceLevel } from './inventory-levels.client';

const ITEM = '900000000000000021';
const LOCATION = '900000000000000777';
const level = (item: string, available: number): ShopifyLevel => ({
  inventoryItemId: item,
  locationId: LOCATION,
  available,
  updatedAt: '2026-11-20T10:00:00Z',
});

describe('compareLevels', () => {
  it('finds levels missing in the service and levels that differ', () => {
    const held = new Map<string, ServiceLevel>([
      [levelKey('1', LOCATION), { ...level('1', 5) }],
      [levelKey('2', LOCATION), { ...level('2', 9) }],
    ]);
    const { drifts, matching } = compareLevels([level('1', 5), level('2', 4), level('3', 1)], held);
    expect(matching).toBe(1);
    expect(drifts.map(({ level: _l, ...d }) => d)).toEqual([
      {
        kind: 'differs',
        inventory_item_id: '2',
        location_id: LOCATION,
        shopify_available: 4,
        service_available: 9,
      },
      {
        kind: 'missing',
        inventory_item_id: '3',
        location_id: LOCATION,
        shopify_available: 1,
        service_available: null,
      },
    ]);
  });
});

describe('correctionMessage', () => {
  const message = correctionMessage('acme.myshopify.com', level(ITEM, 12), new Date());

  it('is an inventory_levels/update envelope keyed by the item, ids as bare integers', () => {
    expect(message.topic).toBe('shopify.inventory.v1');
    expect(message.key).toBe(`acme.myshopify.com/${ITEM}`);
    expect(message.value).toContain(`"inventory_item_id":${ITEM},"location_id":${LOCATION}`);
    expect(parseShopifyJson(message.value as string)).toMatchObject({
      inventory_item_id: ITEM,
      location_id: LOCATION,
      available: 12,
      updated_at: '2026-11-20T10:00:00Z',
    });
    const decoded = decodeWebhookMessage({
      value: Buffer.from(message.value as string),
      headers: message.headers,
    });
    if (!decoded.ok) throw new Error(decoded.detail);
    const envelope = decoded.value;
    expect(envelope.shopifyTopic).toBe('inventory_levels/update');
    expect(envelope.webhookId).toBe(`reconcile-${ITEM}-${LOCATION}-2026-11-20T10:00:00Z-12`);
  });

  it('gives the same state the same webhook id (a re-run is a duplicate)', () => {
    const again = correctionMessage('acme.myshopify.com', level(ITEM, 12), new Date(0));
    expect(again.headers).toMatchObject({
      'shopify-webhook-id': message.headers!['shopify-webhook-id'],
    });
  });
});
