import {
  decodeOrderEvent,
  DomainTopic,
  ORDER_EVENT_TYPE,
  type OrderEventTopic,
} from '@shopwire/contracts';
import { parseShopifyJson } from '@shopwire/shopify';
import { InventoryPayloadError, parseItemUpdate, parseLevelUpdate } from './inventory-payload';
import { orderCommitment } from './order-event';

describe('parseLevelUpdate', () => {
  it('keeps ids above 2^53 exactly', () => {
    const level = parseLevelUpdate(
      parseShopifyJson(
        '{"inventory_item_id": 9007199254740993, "location_id": 820982911946154508, "available": 7, "updated_at": "2026-11-27T10:00:00-05:00"}',
      ),
    );
    expect(level).toEqual({
      inventoryItemId: '9007199254740993',
      locationId: '820982911946154508',
      available: 7,
      updatedAt: '2026-11-27T10:00:00-05:00',
    });
  });

  it.each([
    [
      '{"location_id": 1, "available": 1, "updated_at": "2026-11-27T10:00:00Z"}',
      /inventory_item_id is required/,
    ],
    [
      '{"inventory_item_id": 1, "location_id": 1, "available": null, "updated_at": "2026-11-27T10:00:00Z"}',
      /available/,
    ],
    [
      '{"inventory_item_id": 1, "location_id": 1, "available": 1.5, "updated_at": "2026-11-27T10:00:00Z"}',
      /available/,
    ],
    ['{"inventory_item_id": 1, "location_id": 1, "available": 1}', /updated_at is required/],
    [
      '{"inventory_item_id": -1, "location_id": 1, "available": 1, "updated_at": "2026-11-27T10:00:00Z"}',
      /positive/,
    ],
    ['[]', /JSON object/],
  ])('rejects %s', (json, message) => {
    expect(() => parseLevelUpdate(parseShopifyJson(json))).toThrow(InventoryPayloadError);
    expect(() => parseLevelUpdate(parseShopifyJson(json))).toThrow(message);
  });
});

describe('parseItemUpdate', () => {
  it('reads the sku, treating an empty one as none', () => {
    const raw = (sku: string) =>
      parseShopifyJson(`{"id": 808950810, "sku": ${sku}, "updated_at": "2026-11-27T10:00:00Z"}`);
    expect(parseItemUpdate(raw('"IPOD-1"')).sku).toBe('IPOD-1');
    expect(parseItemUpdate(raw('""')).sku).toBeNull();
    expect(parseItemUpdate(raw('null')).sku).toBeNull();
    expect(() => parseItemUpdate(raw('5'))).toThrow(/^sku must be a string$/);
  });
});

describe('orderCommitment', () => {
  const commitment = (topic: OrderEventTopic, order: Record<string, unknown>) => {
    const decoded = decodeOrderEvent(
      topic,
      JSON.stringify({
        eventId: 'e-1',
        type: ORDER_EVENT_TYPE[topic],
        schemaVersion: 1,
        occurredAt: '2026-11-27T10:00:01Z',
        shopDomain: 'acme.myshopify.com',
        aggregateId: order.id,
        aggregateVersion: '2026-11-27T05:00:00-05:00',
        causationId: null,
        data: { order: { updatedAt: '2026-11-27T10:00:00Z', ...order } },
      }),
    );
    if (!decoded.ok) throw new Error(decoded.detail);
    return orderCommitment(decoded.value);
  };

  it('normalises the version to UTC and keeps string ids', () => {
    const event = commitment(DomainTopic.OrderCancelled, {
      id: '820982911946154508',
      lineItems: [{ id: '1', variantId: '9007199254740993', sku: '', quantity: 2 }],
    });
    expect(event).toEqual({
      kind: 'cancelled',
      eventId: 'e-1',
      shopDomain: 'acme.myshopify.com',
      orderId: '820982911946154508',
      version: '2026-11-27T10:00:00.000Z',
      lines: [{ variantId: '9007199254740993', sku: null, quantity: 2 }],
    });
  });

  it('reads an accepted event of an already cancelled order as a cancellation', () => {
    const order = {
      id: '5',
      cancelledAt: '2026-11-27T10:00:00Z',
      lineItems: [{ id: '1', sku: 'A', quantity: 1 }],
    };
    expect(commitment(DomainTopic.OrderAccepted, order)?.kind).toBe('cancelled');
    expect(commitment(DomainTopic.OrderAccepted, { ...order, cancelledAt: null })?.kind).toBe(
      'accepted',
    );
  });

  it('is no commitment for an update', () => {
    expect(commitment(DomainTopic.OrderUpdated, { id: '5', lineItems: [] })).toBeNull();
  });
});
