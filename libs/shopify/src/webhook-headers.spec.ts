import { missingWebhookHeaders, readWebhookHeaders } from './webhook-headers';

const legacy = {
  'x-shopify-topic': 'orders/create',
  'x-shopify-hmac-sha256': 'sig',
  'x-shopify-shop-domain': 'acme.myshopify.com',
  'x-shopify-webhook-id': 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043',
  'x-shopify-event-id': '98880550-7158-44d4-b7cd-2c97c8a091b5',
  'x-shopify-api-version': '2026-10',
  'x-shopify-triggered-at': '2026-11-27T10:00:00.000Z',
};

const unprefixed = Object.fromEntries(
  Object.entries(legacy).map(([name, value]) => [name.replace(/^x-/, ''), value]),
);

describe('readWebhookHeaders', () => {
  it('reads the X-Shopify-* set', () => {
    expect(readWebhookHeaders(legacy)).toEqual({
      topic: 'orders/create',
      hmac: 'sig',
      shopDomain: 'acme.myshopify.com',
      webhookId: 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043',
      eventId: '98880550-7158-44d4-b7cd-2c97c8a091b5',
      apiVersion: '2026-10',
      triggeredAt: '2026-11-27T10:00:00.000Z',
    });
  });

  it('reads the unprefixed shopify-* set the same way', () => {
    expect(readWebhookHeaders(unprefixed)).toEqual(readWebhookHeaders(legacy));
  });

  it('reads a mix of both sets', () => {
    const mixed = { ...unprefixed, 'x-shopify-topic': 'orders/updated' };
    delete (mixed as Record<string, string>)['shopify-topic'];
    expect(readWebhookHeaders(mixed).topic).toBe('orders/updated');
  });

  it('treats absent and empty headers as missing', () => {
    expect(readWebhookHeaders({ 'x-shopify-topic': '' }).topic).toBeNull();
    expect(readWebhookHeaders({}).eventId).toBeNull();
  });
});

describe('missingWebhookHeaders', () => {
  it('accepts a complete delivery', () => {
    expect(missingWebhookHeaders(readWebhookHeaders(legacy))).toEqual([]);
  });

  it('lists every missing routing header', () => {
    expect(missingWebhookHeaders(readWebhookHeaders({ 'x-shopify-hmac-sha256': 'sig' }))).toEqual([
      'X-Shopify-Topic is missing',
      'X-Shopify-Shop-Domain is missing',
      'X-Shopify-Webhook-Id is missing',
    ]);
  });

  it('rejects a shop domain outside myshopify.com and a malformed topic', () => {
    const problems = missingWebhookHeaders(
      readWebhookHeaders({
        ...legacy,
        'x-shopify-shop-domain': 'evil.example.com',
        'x-shopify-topic': 'orders create',
      }),
    );
    expect(problems).toEqual([
      'X-Shopify-Topic is malformed',
      'X-Shopify-Shop-Domain is not a *.myshopify.com domain',
    ]);
  });
});
