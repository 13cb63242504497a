import { decodeOrderWebhook, type ShopifyOrder } from './shopify-payloads';

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

const webhook = (text: string | Buffer, shopifyTopic = 'orders/updated') => ({
  shopifyTopic,
  payload: Buffer.isBuffer(text) ? text : Buffer.from(text),
});

function order(text: string): ShopifyOrder {
  const decoded = decodeOrderWebhook(webhook(text));
  if (!decoded.ok || decoded.value === null) throw new Error(JSON.stringify(decoded));
  return decoded.value;
}

describe('decodeOrderWebhook', () => {
  it('keeps ids above 2^53 and money exactly', () => {
    const decoded = order(raw());
    expect(decoded.id).toBe('820982911946154508');
    expect(decoded.orderNumber).toBe('1001');
    expect(decoded.totalPrice).toBe('199.65');
    expect(decoded.subtotalPrice).toBe('199.00');
    expect(decoded.lineItems).toEqual([
      expect.objectContaining({
        id: '866550311766439020',
        productId: '632910392',
        quantity: 1,
        price: '199.00',
      }),
      expect.objectContaining({ id: '141249953214522974', productId: null, variantId: null }),
    ]);
  });

  it('reads the customer with its id exact, and no customer as null', () => {
    const customer =
      ', "customer": {"id": 9007199254740993, "email": "jon@example.com", "first_name": "Jon", "last_name": "Snow", "phone": null, "state": "enabled"}';
    expect(order(raw(customer)).customer).toEqual({
      id: '9007199254740993',
      email: 'jon@example.com',
      firstName: 'Jon',
      lastName: 'Snow',
      phone: null,
    });
    expect(order(raw()).customer).toBeNull();
  });

  it('leaves line items alone when the payload has none', () => {
    expect(order('{"id": 1, "updated_at": "2026-10-01T12:00:00Z"}').lineItems).toBeNull();
  });

  it.each([
    ['{"updated_at": "2026-10-01T12:00:00Z"}', 'payload', /^id is required/],
    ['{"id": "abc", "updated_at": "2026-10-01T12:00:00Z"}', 'payload', /^id must be a positive/],
    [
      '{"id": 99999999999999999999, "updated_at": "2026-10-01T12:00:00Z"}',
      'payload',
      /^id must be/,
    ],
    ['{"id": 1}', 'payload', /^updated_at is required/],
    ['{"id": 1, "updated_at": "yesterday"}', 'payload', /^updated_at must be an ISO 8601/],
    [
      '{"id": 1, "updated_at": "2026-10-01T12:00:00Z", "total_price": "1e5"}',
      'payload',
      /^total_price must be a decimal/,
    ],
    [
      '{"id": 1, "updated_at": "2026-10-01T12:00:00Z", "line_items": {}}',
      'payload',
      /^line_items must be an array/,
    ],
    [
      '{"id": 1, "updated_at": "2026-10-01T12:00:00Z", "line_items": [{"quantity": 1}]}',
      'payload',
      /^line_items\[0\]\.id is required/,
    ],
    [
      '{"id": 1, "updated_at": "2026-10-01T12:00:00Z", "line_items": [{"id": 5, "quantity": 1}, {"id": 5, "quantity": 2}]}',
      'payload',
      /repeated id/,
    ],
    [
      '{"id": 1, "updated_at": "2026-10-01T12:00:00Z", "line_items": [{"id": 5, "quantity": -1}]}',
      'payload',
      /quantity/,
    ],
    [
      raw(', "customer": {"id": 1, "first_name": 5}'),
      'payload',
      /^customer\.first_name must be a string$/,
    ],
    ['[1, 2]', 'payload', /must be a JSON object/],
    ['{"id": 1, "updated_at": ', 'json', /not valid JSON/],
  ])('refuses %s', (text, reason, detail) => {
    expect(decodeOrderWebhook(webhook(text))).toEqual({
      ok: false,
      reason,
      detail: expect.stringMatching(detail),
    });
  });

  it('refuses garbage bytes as not JSON', () => {
    const garbage = Buffer.from([0xff, 0xfe, 0x00, 0x9c, 0x7b]);
    expect(decodeOrderWebhook(webhook(garbage))).toMatchObject({ ok: false, reason: 'json' });
  });

  it('never puts a field value in its detail', () => {
    const decoded = decodeOrderWebhook(
      webhook('{"id": 1, "updated_at": "2026-10-01T12:00:00Z", "email": 42, "name": "secret"}'),
    );
    expect(decoded).toEqual({ ok: false, reason: 'payload', detail: 'email must be a string' });
  });

  it('reads the order topics whatever their payload, another orders/* topic only when it is an order', () => {
    expect(decodeOrderWebhook(webhook('{}', 'orders/create'))).toMatchObject({ ok: false });
    expect(decodeOrderWebhook(webhook(raw(), 'orders/some_future_topic'))).toMatchObject({
      ok: true,
      value: { id: '820982911946154508' },
    });
    const none = { ok: true, value: null };
    expect(decodeOrderWebhook(webhook('{"order_edit": {"id": 1}}', 'orders/edited'))).toEqual(none);
    expect(decodeOrderWebhook(webhook('{"id": 1}', 'orders/delete'))).toEqual(none);
  });

  it('ignores the other families on the topic without reading them', () => {
    expect(decodeOrderWebhook(webhook('not json', 'refunds/create'))).toEqual({
      ok: true,
      value: null,
    });
    expect(decodeOrderWebhook(webhook(raw(), 'fulfillments/update'))).toEqual({
      ok: true,
      value: null,
    });
  });
});
