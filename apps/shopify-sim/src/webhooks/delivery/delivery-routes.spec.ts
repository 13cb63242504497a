import { deliveryTargets, type RoutingFacts } from './delivery-routes';

const SHOP = 'a.myshopify.com';
const GATEWAY = 'http://127.0.0.1:3000/webhooks/shopify';

function facts(overrides: Partial<RoutingFacts> = {}): RoutingFacts {
  return {
    defaultUrl: GATEWAY,
    isManaged: () => false,
    subscriptions: () => [],
    ...overrides,
  };
}

describe('deliveryTargets', () => {
  it('sends an unmanaged shop’s webhooks to the default URL (legacy)', () => {
    expect(deliveryTargets(SHOP, 'orders/create', facts())).toEqual([{ url: GATEWAY }]);
  });

  it('sends nothing for a managed shop without a subscription', () => {
    expect(deliveryTargets(SHOP, 'orders/create', facts({ isManaged: () => true }))).toEqual([]);
  });

  it('follows the API subscriptions, one target per distinct http endpoint', () => {
    const subscriptions = () => [
      { id: 1, uri: 'https://a.example.com', apiVersion: '2026-07' },
      { id: 2, uri: 'pubsub://project-1:topic', apiVersion: '2026-10' },
    ];
    expect(
      deliveryTargets(SHOP, 'orders/create', facts({ isManaged: () => true, subscriptions })),
    ).toEqual([{ url: 'https://a.example.com', apiVersion: '2026-07', subscriptionId: 1 }]);
  });

  it('adds the app configuration URL for any shop, once, attributing a shared endpoint to the subscription', () => {
    const subscriptions = () => [{ id: 7, uri: 'https://t.example.com', apiVersion: '2026-10' }];
    expect(
      deliveryTargets(
        SHOP,
        'orders/create',
        facts({ appConfigUrl: 'https://t.example.com', subscriptions, isManaged: () => true }),
      ),
    ).toEqual([{ url: 'https://t.example.com', apiVersion: '2026-10', subscriptionId: 7 }]);
    expect(
      deliveryTargets(SHOP, 'orders/create', facts({ appConfigUrl: 'https://t.example.com' })),
    ).toEqual([{ url: 'https://t.example.com' }]);
  });
});
