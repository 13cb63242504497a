import { contributionOf, decide, deltasBetween, negate, type Contribution } from './contribution';
import type { SalesOrderEvent } from './order-event';

const event = (
  kind: SalesOrderEvent['kind'],
  version: string,
  overrides: Partial<SalesOrderEvent['order']> = {},
): SalesOrderEvent => ({
  kind,
  eventId: `${kind}-${version}`,
  shopDomain: 'acme.myshopify.com',
  version,
  order: {
    id: '820982911946154508',
    currency: 'EUR',
    totalPrice: '30.10',
    totalTax: '4.80',
    totalDiscounts: '1.00',
    createdAt: '2026-11-26T23:30:00-05:00',
    cancelledAt: null,
    test: false,
    lineItems: [
      { productId: '9007199254740993', sku: 'A', title: 'Thing', quantity: 2, price: '10.05' },
      { productId: null, sku: 'B', title: 'Other', quantity: 1, price: '10.00' },
      { productId: null, sku: null, title: 'Gift wrap', quantity: 0, price: '0.00' },
    ],
    ...overrides,
  },
});

describe('contributionOf', () => {
  it('takes the UTC day of created_at and keys products by id, then sku', () => {
    const c = contributionOf(event('accepted', '2026-11-27T05:00:00.000Z'));
    expect(c).toMatchObject({ day: '2026-11-27', currency: 'EUR', counted: true, gross: '30.10' });
    expect(c.lines.map((l) => l.productKey)).toEqual(['p:9007199254740993', 's:B']);
  });

  it('counts neither cancelled nor test orders', () => {
    expect(contributionOf(event('cancelled', '2026-11-27T06:00:00.000Z')).counted).toBe(false);
    const cancelledUpdate = event('updated', '2026-11-27T06:00:00.000Z', {
      cancelledAt: '2026-11-27T06:00:00Z',
    });
    expect(contributionOf(cancelledUpdate)).toMatchObject({ cancelled: true, counted: false });
    expect(
      contributionOf(event('accepted', '2026-11-27T06:00:00.000Z', { test: true })).counted,
    ).toBe(false);
  });
});

describe('decide', () => {
  const at = (version: string, cancelled = false) => ({ version, cancelled });
  it.each([
    [null, at('2026-11-27T10:00:00Z'), 'apply'],
    [at('2026-11-27T10:00:00Z'), at('2026-11-27T10:00:01Z'), 'apply'],
    [at('2026-11-27T10:00:01Z'), at('2026-11-27T10:00:00Z'), 'stale'],
    [at('2026-11-27T10:00:00Z'), at('2026-11-27T10:00:00.000Z'), 'unchanged'],
    [at('2026-11-27T10:00:00Z'), at('2026-11-27T10:00:00Z', true), 'apply'],
    [at('2026-11-27T10:00:00Z', true), at('2026-11-27T10:00:00Z'), 'unchanged'],
  ] as const)('%j then %j → %s', (previous, next, expected) => {
    expect(decide(previous, next)).toBe(expected);
  });
});

describe('deltasBetween', () => {
  const v1 = contributionOf(event('accepted', '2026-11-27T10:00:00.000Z'));
  const v2: Contribution = contributionOf(
    event('updated', '2026-11-27T11:00:00.000Z', { totalPrice: '20.10', currency: 'EUR' }),
  );
  const cancelled = contributionOf(event('cancelled', '2026-11-27T12:00:00.000Z'));

  it('adds a first contribution', () => {
    expect(deltasBetween(null, v1).daily).toEqual([
      {
        day: '2026-11-27',
        currency: 'EUR',
        orders: 1,
        gross: '30.10',
        tax: '4.80',
        discounts: '1.00',
      },
    ]);
  });

  it('replaces an old contribution: subtract it, add the new one', () => {
    const { daily, products } = deltasBetween(v1, v2);
    expect(daily.map((d) => [d.orders, d.gross])).toEqual([
      [-1, '-30.10'],
      [1, '20.10'],
    ]);
    expect(products.map((p) => p.units)).toEqual([-2, -1, 2, 1]);
  });

  it('a cancellation only subtracts, and cancelling a cancelled order changes nothing', () => {
    expect(deltasBetween(v2, cancelled).daily.map((d) => d.gross)).toEqual(['-20.10']);
    expect(deltasBetween(cancelled, cancelled)).toEqual({ daily: [], products: [] });
  });
});

describe('negate', () => {
  it.each([
    ['1.50', '-1.50'],
    ['-1.50', '1.50'],
    ['0', '0'],
    ['0.00', '0.00'],
    ['123456789012345678901234.99', '-123456789012345678901234.99'],
  ])('%s → %s', (value, expected) => {
    expect(negate(value)).toBe(expected);
  });
});
