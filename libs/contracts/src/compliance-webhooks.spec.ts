import {
  COMPLIANCE_WEBHOOK_TOPICS,
  crossCheckShopWebhook,
  decodePrivacyWebhook,
  decodePrivacyWebhookFor,
  isCrossCheckedWebhookTopic,
  isPrivacyWebhookTopic,
  PRIVACY_WEBHOOK_TOPICS,
  WebhookPayloadError,
  type WebhookPayloadProblem,
} from './compliance-webhooks';
import { isShopDomain, parseShopDomain } from './shop-domain';

const SHOP = 'acme.myshopify.com';
const OTHER = 'rival.myshopify.com';

// Shapes as Shopify documents them, with an ID above 2^53 kept as its digits.
const customersRedact = (shop = SHOP) => ({
  shop_id: 954889,
  shop_domain: shop,
  customer: { id: '9007199254740993', email: 'ann@example.com', phone: '+15550100' },
  orders_to_redact: [299938, '820982911946154508'],
});
const dataRequest = (shop = SHOP) => ({
  shop_id: 954889,
  shop_domain: shop,
  orders_requested: [299938],
  customer: { id: 191167, email: 'ann@example.com', phone: null },
  data_request: { id: 9999 },
});
const shopRedact = (shop = SHOP) => ({ shop_id: 954889, shop_domain: shop });
const shopResource = (shop = SHOP) => ({
  id: 548380009,
  name: 'Acme',
  domain: 'shop.acme.example',
  myshopify_domain: shop,
});

function problemOf(run: () => unknown): { problem: WebhookPayloadProblem; message: string } | null {
  try {
    run();
    return null;
  } catch (error) {
    if (!(error instanceof WebhookPayloadError)) throw error;
    return { problem: error.problem, message: error.message };
  }
}

describe('topic lists', () => {
  it('keeps the mandatory compliance topics and adds app/uninstalled for the privacy actions', () => {
    expect([...COMPLIANCE_WEBHOOK_TOPICS].sort()).toEqual([
      'customers/data_request',
      'customers/redact',
      'shop/redact',
    ]);
    expect(PRIVACY_WEBHOOK_TOPICS).toContain('app/uninstalled');
    expect(isPrivacyWebhookTopic('shop/update')).toBe(false);
    expect(isPrivacyWebhookTopic('shop/redact')).toBe(true);
  });

  it.each([
    ['shop/redact', true],
    ['shop/update', true],
    ['customers/create', true],
    ['app/uninstalled', true],
    ['app/scopes_update', true],
    ['orders/create', false],
    ['app_subscriptions/update', false],
    ['customers_marketing_consent/update', false],
  ])('%s is cross-checked: %s', (topic, checked) => {
    expect(isCrossCheckedWebhookTopic(topic)).toBe(checked);
  });
});

describe('decodePrivacyWebhook', () => {
  it('decodes each topic with IDs as exact strings', () => {
    expect(decodePrivacyWebhook('customers/redact', customersRedact())).toEqual({
      topic: 'customers/redact',
      shopId: '954889',
      shopDomain: SHOP,
      customer: { id: '9007199254740993', email: 'ann@example.com', phone: '+15550100' },
      ordersToRedact: ['299938', '820982911946154508'],
    });
    expect(decodePrivacyWebhook('customers/data_request', dataRequest())).toEqual({
      topic: 'customers/data_request',
      shopId: '954889',
      shopDomain: SHOP,
      customer: { id: '191167', email: 'ann@example.com', phone: null },
      ordersRequested: ['299938'],
      dataRequestId: '9999',
    });
    expect(decodePrivacyWebhook('shop/redact', shopRedact())).toEqual({
      topic: 'shop/redact',
      shopId: '954889',
      shopDomain: SHOP,
    });
    expect(decodePrivacyWebhook('app/uninstalled', shopResource())).toEqual({
      topic: 'app/uninstalled',
      shopId: '548380009',
      shopDomain: SHOP,
    });
  });

  it('accepts a guest redact (no customer id) when the customer is named otherwise', () => {
    const guest = { ...customersRedact(), customer: { id: null, email: 'g@example.com' } };
    const decoded = decodePrivacyWebhook('customers/redact', guest);
    expect(decoded.topic === 'customers/redact' && decoded.customer.id).toBeNull();
  });

  it.each<[string, Parameters<typeof decodePrivacyWebhook>[0], unknown, RegExp]>([
    ['shop/redact without shop_domain', 'shop/redact', { shop_id: 1 }, /shop_domain/],
    ['shop/redact without shop_id', 'shop/redact', { shop_domain: SHOP }, /shop_id/],
    ['shop/redact with a custom domain', 'shop/redact', shopRedact('acme.com'), /shop_domain/],
    ['customers/redact of a shop/redact body', 'customers/redact', shopRedact(), /customer/],
    [
      'customers/redact without orders_to_redact',
      'customers/redact',
      { ...customersRedact(), orders_to_redact: undefined },
      /orders_to_redact/,
    ],
    [
      'customers/redact naming nobody',
      'customers/redact',
      { ...customersRedact(), customer: { id: null, email: null, phone: null } },
      /customer/,
    ],
    [
      'customers/data_request without data_request',
      'customers/data_request',
      customersRedact(),
      /orders_requested|data_request/,
    ],
    [
      'app/uninstalled without myshopify_domain',
      'app/uninstalled',
      { id: 1, domain: SHOP },
      /myshopify_domain/,
    ],
    ['a body that is an array', 'shop/redact', [shopRedact()], /payload/],
    [
      'an ID rounded by JSON.parse',
      'shop/redact',
      JSON.parse(`{"shop_id":820982911946154508,"shop_domain":"${SHOP}"}`),
      /shop_id.*2\^53/,
    ],
    ['a negative id', 'shop/redact', { shop_id: -4, shop_domain: SHOP }, /shop_id/],
  ])('refuses %s as a shape problem naming the field', (_label, topic, payload, field) => {
    const found = problemOf(() => decodePrivacyWebhook(topic, payload));
    expect(found?.problem).toBe('shape');
    expect(found?.message).toMatch(field);
  });

  it('never puts a value of the payload into its message', () => {
    const found = problemOf(() =>
      decodePrivacyWebhook('customers/redact', {
        ...customersRedact(),
        customer: { id: 'ann@example.com', email: 'ann@example.com' },
      }),
    );
    expect(found?.message).not.toContain('ann@');
  });
});

describe('decodePrivacyWebhookFor', () => {
  it('refuses a payload of another shop as a shop mismatch', () => {
    expect(problemOf(() => decodePrivacyWebhookFor('shop/redact', OTHER, shopRedact()))).toEqual({
      problem: 'shop_mismatch',
      message: expect.not.stringContaining(SHOP),
    });
    expect(decodePrivacyWebhookFor('shop/redact', SHOP, shopRedact()).shopId).toBe('954889');
  });
});

describe('crossCheckShopWebhook', () => {
  it.each<[string, unknown]>([
    ['customers/redact', customersRedact()],
    ['customers/data_request', dataRequest()],
    ['shop/redact', shopRedact()],
    ['app/uninstalled', shopResource()],
    ['shop/update', shopResource()],
    ['customers/create', { id: '9007199254740993', email: 'a@b.c' }],
    ['customers/merge', { admin_graphql_api_id: 'gid://shopify/CustomerMergeRequest/1' }],
    ['app/scopes_update', { id: 1, previous: [], current: ['read_orders'] }],
    ['orders/create', 'anything: other families are not checked here'],
  ])('lets %s of the header shop through', (topic, payload) => {
    expect(() => crossCheckShopWebhook(topic, SHOP, payload)).not.toThrow();
  });

  it.each<[string, unknown, WebhookPayloadProblem]>([
    // A captured, validly signed body re-sent with another shop's header …
    ['shop/redact', shopRedact(OTHER), 'shop_mismatch'],
    ['customers/redact', customersRedact(OTHER), 'shop_mismatch'],
    ['customers/data_request', dataRequest(OTHER), 'shop_mismatch'],
    ['app/uninstalled', shopResource(OTHER), 'shop_mismatch'],
    ['shop/update', shopResource(OTHER), 'shop_mismatch'],
    ['app/uninstalled', { ...shopResource(), domain: OTHER }, 'shop_mismatch'],
    ['app/scopes_update', { id: 1, shop_domain: OTHER }, 'shop_mismatch'],
    // … or as another topic.
    ['shop/redact', customersRedact(), 'shape'],
    ['app/uninstalled', shopRedact(), 'shape'],
    ['customers/redact', shopResource(), 'shape'],
    ['customers/data_request', customersRedact(), 'shape'],
    ['customers/redact', dataRequest(), 'shape'],
    ['shop/redact', dataRequest(), 'shape'],
    ['customers/create', shopRedact(), 'shape'],
    ['customers/update', 'not an object', 'shape'],
  ])('refuses %s that does not fit: %s', (topic, payload, problem) => {
    expect(problemOf(() => crossCheckShopWebhook(topic, SHOP, payload))?.problem).toBe(problem);
  });
});

describe('shop domains', () => {
  it.each([
    ['acme.myshopify.com', true],
    ['a-1.myshopify.com', true],
    [`${'a'.repeat(63)}.myshopify.com`, true],
    [`${'a'.repeat(64)}.myshopify.com`, false],
    ['Acme.myshopify.com', false],
    ['-acme.myshopify.com', false],
    ['acme.myshopify.com.evil.com', false],
    ['acme.com', false],
    [' acme.myshopify.com', false],
    ['https://acme.myshopify.com', false],
    [42, false],
  ])('isShopDomain(%p) is %p', (value, valid) => {
    expect(isShopDomain(value)).toBe(valid);
  });

  it('parseShopDomain lower-cases and refuses anything else', () => {
    expect(parseShopDomain('Acme.MyShopify.com')).toBe('acme.myshopify.com');
    expect(parseShopDomain('acme.myshopify.com:443')).toBeNull();
    expect(parseShopDomain(undefined)).toBeNull();
  });
});
