import {
  isValidEndpoint,
  parseSubscriptionGid,
  subscriptionGid,
  topicEnumOf,
  WebhookSubscriptionStore,
} from './webhook-subscription-store';

const SHOP = 'a-shop.myshopify.com';
const NOW = new Date('2026-12-01T00:00:00Z');

describe('WebhookSubscriptionStore', () => {
  it('keeps subscriptions per shop and refuses a duplicate topic+uri', () => {
    const store = new WebhookSubscriptionStore();
    const first = store.create(
      SHOP,
      'ORDERS_CREATE',
      { uri: 'https://x.example.com' },
      '2026-10',
      NOW,
    );
    expect(first.userErrors).toEqual([]);
    expect(
      store.create(SHOP, 'ORDERS_CREATE', { callbackUrl: 'https://x.example.com' }, '2026-10', NOW)
        .userErrors[0]?.message,
    ).toBe('Address for this topic has already been taken');
    expect(
      store.create(SHOP, 'ORDERS_UPDATED', { uri: 'https://x.example.com' }, '2026-10', NOW)
        .userErrors,
    ).toEqual([]);
    expect(
      store.create(
        'b.myshopify.com',
        'ORDERS_CREATE',
        { uri: 'https://x.example.com' },
        '2026-10',
        NOW,
      ).userErrors,
    ).toEqual([]);
    expect(store.forTopic(SHOP, 'orders/create')).toHaveLength(1);
    expect(store.hasEverSubscribed(SHOP)).toBe(true);
    expect(store.hasEverSubscribed('c.myshopify.com')).toBe(false);
  });

  it('updates the endpoint and version, refusing one another subscription of the topic has', () => {
    const store = new WebhookSubscriptionStore();
    const a = store.create(
      SHOP,
      'ORDERS_CREATE',
      { uri: 'https://a.example.com' },
      '2026-07',
      NOW,
    ).subscription!;
    store.create(SHOP, 'ORDERS_CREATE', { uri: 'https://b.example.com' }, '2026-07', NOW);
    expect(
      store.update(SHOP, a.id, { uri: 'https://b.example.com' }, '2026-10', NOW).userErrors[0]
        ?.message,
    ).toMatch(/taken/);
    const later = new Date(NOW.getTime() + 1000);
    const updated = store.update(
      SHOP,
      a.id,
      { uri: 'https://c.example.com' },
      '2026-10',
      later,
    ).subscription!;
    expect(updated).toMatchObject({
      uri: 'https://c.example.com',
      apiVersion: '2026-10',
      updatedAt: later,
    });
    expect(store.update(SHOP, 999, {}, '2026-10', NOW).userErrors[0]?.field).toEqual(['id']);
  });

  it('counts deletions, removals after failures and removals on uninstall', () => {
    const store = new WebhookSubscriptionStore();
    const a = store.create(
      SHOP,
      'ORDERS_CREATE',
      { uri: 'https://a.example.com' },
      '2026-10',
      NOW,
    ).subscription!;
    const b = store.create(
      SHOP,
      'ORDERS_UPDATED',
      { uri: 'https://a.example.com' },
      '2026-10',
      NOW,
    ).subscription!;
    store.create(SHOP, 'SHOP_UPDATE', { uri: 'https://a.example.com' }, '2026-10', NOW);
    expect(store.delete(SHOP, a.id).deleted).toBe(true);
    expect(store.delete(SHOP, a.id).userErrors).toHaveLength(1);
    expect(store.removeAfterFailures(SHOP, b.id)).toBe(true);
    expect(store.removeShop(SHOP)).toBe(1);
    expect(store.stats()).toEqual({
      created: 3,
      updated: 0,
      deleted: 1,
      removedAfterFailures: 1,
      removedOnUninstall: 1,
    });
  });

  it('refuses an unknown topic and bad endpoints', () => {
    const store = new WebhookSubscriptionStore();
    expect(
      store.create(SHOP, 'SHOP_REDACT', { uri: 'https://a.example.com' }, '2026-10', NOW)
        .userErrors[0]?.field,
    ).toEqual(['topic']);
    expect(
      store.create(SHOP, 'ORDERS_CREATE', { uri: 'ftp://a.example.com' }, '2026-10', NOW)
        .userErrors[0]?.message,
    ).toBe('Address is invalid');
  });
});

describe('helpers', () => {
  it.each([
    ['https://a.example.com/x', true],
    ['http://127.0.0.1:3000/webhooks', true],
    ['pubsub://my-project:topic-1', true],
    ['arn:aws:events:us-east-1::event-source/aws.partner/shopify.com/1/source', true],
    ['javascript:alert(1)', false],
    ['', false],
  ])('isValidEndpoint(%s) → %s', (uri, ok) => expect(isValidEndpoint(uri)).toBe(ok));

  it('maps topics and gids both ways', () => {
    expect(topicEnumOf('inventory_levels/update')).toBe('INVENTORY_LEVELS_UPDATE');
    expect(topicEnumOf('shop/redact')).toBeUndefined();
    expect(parseSubscriptionGid(subscriptionGid(42))).toBe(42);
    expect(parseSubscriptionGid('gid://shopify/Product/42')).toBeNull();
  });
});
