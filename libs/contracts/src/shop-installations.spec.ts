import {
  decodeShopInstallationChanged,
  installationVersion,
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
    expect(decodeShopInstallationChanged(Buffer.from(JSON.stringify(event)))).toEqual({
      ok: true,
      value: event,
    });
  });

  it.each([
    ['null', null, 'json'],
    ['not JSON', '{', 'json'],
    ['garbage bytes', Buffer.from([0xff, 0xfe, 0x00, 0x9c]), 'json'],
    ['an unknown type', JSON.stringify({ ...event, type: 'installation.deleted' }), 'event'],
    ['a bad version', JSON.stringify({ ...event, aggregateVersion: '2:17' }), 'event'],
    [
      'another aggregate',
      JSON.stringify({ ...event, aggregateId: 'other.myshopify.com' }),
      'event',
    ],
    ['a bad shop', JSON.stringify({ ...event, shopDomain: 'acme.example' }), 'event'],
    [
      'a bad status',
      JSON.stringify({ ...event, data: { ...event.data, status: 'gone' } }),
      'event',
    ],
    [
      'no scopes',
      JSON.stringify({ ...event, data: { ...event.data, scopes: 'read_orders' } }),
      'event',
    ],
    [
      'no generation',
      JSON.stringify({ ...event, data: { ...event.data, generation: '2' } }),
      'event',
    ],
    ['a bad grant', JSON.stringify({ ...event, data: { ...event.data, grantType: 'x' } }), 'event'],
  ])('refuses %s', (_what, value, reason) => {
    expect(decodeShopInstallationChanged(value)).toMatchObject({ ok: false, reason });
  });
});
