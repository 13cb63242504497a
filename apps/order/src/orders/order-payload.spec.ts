import { parseShopifyJson } from '@shopwire/shopify';
import {
  carriesOrder,
  isShopDomain,
  OrderPayloadError,
  parseOrderPayload,
  withoutCustomerData,
} from './order-payload';

const raw = (overrides = '') => `{
  "id": 820982911946154508,
  "admin_graphql_api_id": "gid://shopify/Order/820982911946154508",
  "name": "#1001", "order_number": 1001, "email": "jon@example.com", "currency": "USD",
  "financial_status": "paid", "fulfillment_status": null,
  "total_price": "199.65", "subtotal_price": "199.00", "total_tax": "0.65", "total_discounts": "0.00",
  "created_at": "2026-10-01T12:00:00-04:00", "updated_at": "2026-10-01T12:05:00-04:00",
  "cancelled_at": null, "cancel_reason": null,
  "line_items": [
    { "id": 866550311766439020, "product_id": 632910392, "variant_id": 808950810,
      "sku": "IPOD2008PINK", "title": "IPod Nano", "quantity": 1, "price": "199.00" },
    { "id": 141249953214522974, "product_id": null, "variant_id": null,
      "sku": null, "title": "Gift wrap", "quantity": 2, "price": "0.00" }
  ]${overrides}
}`;

describe('parseOrderPayload', () => {
  it('keeps ids above 2^53 and money exactly', () => {
    const order = parseOrderPayload(parseShopifyJson(raw()));
    expect(order.id).toBe('820982911946154508');
    expect(order.orderNumber).toBe('1001');
    expect(order.totalPrice).toBe('199.65');
    expect(order.subtotalPrice).toBe('199.00');
    expect(order.lineItems).toEqual([
      expect.objectContaining({
        id: '866550311766439020',
        productId: '632910392',
        quantity: 1,
        price: '199.00',
      }),
      expect.objectContaining({
        id: '141249953214522974',
        productId: null,
        variantId: null,
        quantity: 2,
      }),
    ]);
  });

  it('reads the customer with its id exact, and no customer as null', () => {
    const json = parseShopifyJson(
      raw(
        ', "customer": {"id": 9007199254740993, "email": "jon@example.com", "first_name": "Jon", "last_name": "Snow", "phone": null, "state": "enabled"}',
      ),
    );
    expect(parseOrderPayload(json).customer).toEqual({
      id: '9007199254740993',
      email: 'jon@example.com',
      firstName: 'Jon',
      lastName: 'Snow',
      phone: null,
    });
    expect(parseOrderPayload(parseShopifyJson(raw())).customer).toBeNull();
    expect(() =>
      parseOrderPayload(parseShopifyJson(raw(', "customer": {"id": 1, "first_name": 5}'))),
    ).toThrow(/^customer\.first_name must be a string$/);
  });

  it('leaves line items alone when the payload has none', () => {
    const json = parseShopifyJson('{"id": 1, "updated_at": "2026-10-01T12:00:00Z"}');
    expect(parseOrderPayload(json).lineItems).toBeNull();
  });

  it.each([
    ['{"updated_at": "2026-10-01T12:00:00Z"}', /^id is required/],
    ['{"id": "abc", "updated_at": "2026-10-01T12:00:00Z"}', /^id must be a positive integer id/],
    ['{"id": 99999999999999999999, "updated_at": "2026-10-01T12:00:00Z"}', /^id must be/],
    ['{"id": 1}', /^updated_at is required/],
    ['{"id": 1, "updated_at": "yesterday"}', /^updated_at must be an ISO 8601/],
    [
      '{"id": 1, "updated_at": "2026-10-01T12:00:00Z", "total_price": "1e5"}',
      /^total_price must be a decimal/,
    ],
    [
      '{"id": 1, "updated_at": "2026-10-01T12:00:00Z", "line_items": {}}',
      /^line_items must be an array/,
    ],
    [
      '{"id": 1, "updated_at": "2026-10-01T12:00:00Z", "line_items": [{"quantity": 1}]}',
      /^line_items\[0\]\.id is required/,
    ],
    [
      '{"id": 1, "updated_at": "2026-10-01T12:00:00Z", "line_items": [{"id": 5, "quantity": -1}]}',
      /quantity/,
    ],
    ['[1, 2]', /must be a JSON object/],
  ])('rejects %s with a clear message', (json, message) => {
    expect(() => parseOrderPayload(parseShopifyJson(json))).toThrow(OrderPayloadError);
    expect(() => parseOrderPayload(parseShopifyJson(json))).toThrow(message);
  });

  it('never puts a field value in its message', () => {
    const json = parseShopifyJson(
      '{"id": 1, "updated_at": "2026-10-01T12:00:00Z", "email": 42, "name": "secret"}',
    );
    expect(() => parseOrderPayload(json)).toThrow(/^email must be a string$/);
  });
});

describe('carriesOrder', () => {
  const order = () => parseShopifyJson(raw());
  it('accepts the order topics without looking at the payload', () => {
    const never = () => {
      throw new Error('not read');
    };
    expect(carriesOrder('orders/create', never)).toBe(true);
    expect(carriesOrder('orders/partially_fulfilled', never)).toBe(true);
  });

  it('accepts another orders/* topic only when its payload is an order', () => {
    expect(carriesOrder('orders/some_future_topic', order)).toBe(true);
    expect(carriesOrder('orders/edited', () => parseShopifyJson('{"order_edit": {"id": 1}}'))).toBe(
      false,
    );
    expect(carriesOrder('orders/delete', () => parseShopifyJson('{"id": 1}'))).toBe(false);
  });

  it('ignores the other families on the topic', () => {
    expect(carriesOrder('refunds/create', order)).toBe(false);
    expect(carriesOrder('fulfillments/update', order)).toBe(false);
  });
});

describe('isShopDomain', () => {
  it('accepts myshopify domains only', () => {
    expect(isShopDomain('acme.myshopify.com')).toBe(true);
    expect(isShopDomain('acme-2.myshopify.com')).toBe(true);
    expect(isShopDomain('acme.example.com')).toBe(false);
    expect(isShopDomain("x'; drop table orders;--.myshopify.com")).toBe(false);
  });
});

describe('withoutCustomerData', () => {
  it('keeps the order and the customer id, drops email, names and phone', () => {
    const order = parseOrderPayload(
      parseShopifyJson(
        '{"id": 1, "updated_at": "2026-11-01T10:00:00Z", "email": "jon@example.com", "customer": {"id": 9, "email": "jon@example.com", "first_name": "Jon", "last_name": "Snow", "phone": "555-0100"}}',
      ),
    );
    const stripped = withoutCustomerData(order);
    expect(JSON.stringify(stripped)).not.toMatch(/jon|snow|555/i);
    expect(stripped.customer?.id).toBe('9');
    expect(stripped.id).toBe('1');
  });
});
