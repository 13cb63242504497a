import {
  decodeShopInstallationChanged,
  installationVersion,
  ShopInstallationEventError,
  type ShopInstallationChangedEvent,
} from './shop-installations';

const event: ShopInstallationChangedEvent = {
  eventId: '7c1e0b0e-0000-4000-8000-000000000000',
  type: 'installation.installed',
  schemaVersion: 1,
  occurredAt: '2026-12-05T10:00:00.000Z',
  shopDomain: 'acme.myshopify.com',
  aggregateId: 'acme.myshopify.com',
  aggregateVersion: installationVersion(2, 17),
  causationId: null,
  data: {
    status: 'installed',
    scopes: ['read_orders'],
    grantType: 'authorization_code',
    generation: 2,
  },
};

describe('shops.installation.changed.v1', () => {
  it('orders versions as text: a later generation wins over any revision of an earlier one', () => {
    expect(installationVersion(2, 17)).toBe('0000000002:0000000017');
    expect(installationVersion(2, 1) > installationVersion(1, 999)).toBe(true);
    expect(installationVersion(1, 10) > installationVersion(1, 9)).toBe(true);
  });

  it('decodes an event', () => {
    expect(decodeShopInstallationChanged(Buffer.from(JSON.stringify(event)))).toEqual(event);
  });

  it.each([
    ['null', null],
    ['not JSON', '{'],
    ['an unknown type', JSON.stringify({ ...event, type: 'installation.deleted' })],
    ['a bad version', JSON.stringify({ ...event, aggregateVersion: '2:17' })],
    ['another aggregate', JSON.stringify({ ...event, aggregateId: 'other.myshopify.com' })],
    ['a bad status', JSON.stringify({ ...event, data: { ...event.data, status: 'gone' } })],
    ['no scopes', JSON.stringify({ ...event, data: { ...event.data, scopes: 'read_orders' } })],
  ])('refuses %s', (_what, value) => {
    expect(() => decodeShopInstallationChanged(value)).toThrow(ShopInstallationEventError);
  });
});
