import { messageKey, envelopeHeaders, ShopifyKafkaTopic } from '@shopwire/contracts';
import type { OutboxMessage } from '@shopwire/database';
import type { ServiceLevel } from './inventory-levels.client';

/** A level as Shopify reports it (ids as exact digit strings). */
export interface ShopifyLevel {
  inventoryItemId: string;
  locationId: string;
  available: number;
  updatedAt: string;
}

export type DriftKind = 'missing' | 'differs';

export interface Drift {
  kind: DriftKind;
  inventory_item_id: string;
  location_id: string;
  shopify_available: number;
  service_available: number | null;
}

export const levelKey = (item: string, location: string) => `${item}/${location}`;

/** Shopify's levels against the inventory service's: what is missing there or differs. */
export function compareLevels(
  shopify: ShopifyLevel[],
  service: ReadonlyMap<string, ServiceLevel>,
): { drifts: (Drift & { level: ShopifyLevel })[]; matching: number } {
  const drifts: (Drift & { level: ShopifyLevel })[] = [];
  let matching = 0;
  for (const level of shopify) {
    const held = service.get(levelKey(level.inventoryItemId, level.locationId));
    if (held && held.available === level.available) {
      matching++;
      continue;
    }
    drifts.push({
      kind: held ? 'differs' : 'missing',
      inventory_item_id: level.inventoryItemId,
      location_id: level.locationId,
      shopify_available: level.available,
      service_available: held ? held.available : null,
      level,
    });
  }
  return { drifts, matching };
}

/**
 * The correction for a drifted level: an `inventory_levels/update` envelope on
 * `shopify.inventory.v1` as the gateway writes it (key `<shop>/<inventory item id>`, Shopify's
 * REST payload with ids as bare integers), so the inventory service applies it through its normal
 * path — stale guard included: a level it holds with a newer `updated_at` than Shopify reported
 * keeps its value. The webhook id is deterministic per (item, location, updated_at, available),
 * so a re-run or a resumed run is a duplicate its inbox drops.
 */
export function correctionMessage(
  shop: string,
  level: ShopifyLevel,
  receivedAt: Date,
): OutboxMessage {
  const { inventoryItemId: item, locationId: location, available, updatedAt } = level;
  if (!/^\d+$/.test(item) || !/^\d+$/.test(location) || !Number.isInteger(available))
    throw new Error('a Shopify level without numeric ids or quantity');
  const webhookId = `reconcile-${item}-${location}-${updatedAt}-${available}`;
  // Written as text so the ids keep every digit as bare integers, as Shopify's payloads have them.
  const value =
    `{"inventory_item_id":${item},"location_id":${location},"available":${available},` +
    `"updated_at":${JSON.stringify(updatedAt)},` +
    `"admin_graphql_api_id":${JSON.stringify(`gid://shopify/InventoryLevel/${location}?inventory_item_id=${item}`)}}`;
  return {
    topic: ShopifyKafkaTopic.Inventory,
    key: messageKey(shop, item),
    value,
    headers: envelopeHeaders({
      webhookId,
      eventId: null,
      shopifyTopic: 'inventory_levels/update',
      shopDomain: shop,
      apiVersion: null,
      triggeredAt: null,
      receivedAt: receivedAt.toISOString(),
    }),
  };
}
