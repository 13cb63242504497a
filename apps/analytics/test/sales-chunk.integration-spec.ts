import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import type { SalesOrderEvent } from '../src/sales/order-event';
import { SalesService, type AnalyticsEvent } from '../src/sales/sales.service';
import {
  DATABASE_URL,
  resetSchema,
  startApp,
  startGroupAtEnd,
  testKafka,
  uniqueShop,
  type RunningApp,
} from './analytics-harness';

// The set-based chunk path against real Postgres, called directly so a test decides exactly what
// one chunk holds; the same chunk with an event Postgres refuses is redone one event at a time.
let db: Pool;
let app: RunningApp;
let service: SalesService;

const ORDER = '9007199254740993'; // 2^53 + 1

function order(
  shop: string,
  version: string,
  extra: Partial<SalesOrderEvent['order']> & { kind?: SalesOrderEvent['kind'] } = {},
  eventId: string = randomUUID(),
): AnalyticsEvent {
  const { kind = 'updated', ...fields } = extra;
  return {
    kind: 'order',
    event: {
      kind,
      eventId,
      shopDomain: shop,
      version,
      order: {
        id: ORDER,
        currency: 'USD',
        totalPrice: '100.00',
        totalTax: '0.00',
        totalDiscounts: '0.00',
        createdAt: '2026-10-01T12:00:00Z',
        cancelledAt: null,
        test: false,
        lineItems: [{ productId: '7', sku: null, title: null, quantity: 2, price: '50.00' }],
        ...fields,
      },
    },
  };
}

async function books(shop: string) {
  const contribution = await db.query(
    `SELECT order_id, cancelled, gross, stale_events_skipped FROM analytics.order_contributions
     WHERE shop_domain = $1`,
    [shop],
  );
  const daily = await db.query(
    `SELECT orders, gross::text FROM analytics.daily_sales WHERE shop_domain = $1`,
    [shop],
  );
  const products = await db.query(
    `SELECT product_key, units, revenue::text FROM analytics.daily_product_sales
     WHERE shop_domain = $1 ORDER BY product_key`,
    [shop],
  );
  return { contributions: contribution.rows, daily: daily.rows, products: products.rows };
}

beforeAll(async () => {
  await resetSchema();
  db = new Pool({ connectionString: DATABASE_URL, max: 2 });
  const groupId = `analytics-chunk-it-${randomUUID()}`;
  await startGroupAtEnd(testKafka(), groupId);
  app = await startApp(groupId);
  service = app.app.get(SalesService);
});

afterAll(async () => {
  await app?.close();
  await db?.end();
});

describe('a chunk of order events applied set-based', () => {
  // One order: accepted, updated, an older version, the first event again, then cancelled at
  // the same version as the update.
  function chunk(shop: string): AnalyticsEvent[] {
    const first = order(shop, '2026-10-01T12:00:00.000Z', { kind: 'accepted' });
    const firstId = first.kind === 'order' ? first.event.eventId : '';
    return [
      first,
      order(shop, '2026-10-01T13:00:00.000Z', {
        totalPrice: '120.00',
        lineItems: [{ productId: '7', sku: null, title: null, quantity: 3, price: '40.00' }],
      }),
      order(shop, '2026-10-01T12:30:00.000Z', { totalPrice: '1.00' }),
      order(shop, '2026-10-01T12:00:00.000Z', { kind: 'accepted' }, firstId),
      order(shop, '2026-10-01T13:00:00.000Z', {
        kind: 'cancelled',
        totalPrice: '120.00',
        cancelledAt: '2026-10-01T13:00:00Z',
      }),
    ];
  }

  const expected = {
    contributions: [{ order_id: ORDER, cancelled: true, gross: '120.00', stale_events_skipped: 1 }],
    // Accepted, replaced, then taken back by the cancellation: the day nets to nothing.
    daily: [{ orders: 0, gross: '0.00' }],
    products: [{ product_key: 'p:7', units: '0', revenue: '0.00' }],
  };

  it('leaves what applying the events one at a time leaves', async () => {
    const shop = uniqueShop();
    const events = chunk(shop);
    expect(await service.applyEvents(events)).toEqual([
      'applied',
      'applied',
      'stale',
      'duplicate',
      'applied',
    ]);
    expect(await books(shop)).toEqual(expected);
    expect(await service.applyEvents(events)).toEqual(events.map(() => 'duplicate'));
    expect(await books(shop)).toEqual(expected);
  });

  it('redoes a chunk with an event Postgres refuses one event at a time, rejecting only it', async () => {
    const shop = uniqueShop();
    const events = chunk(shop);
    const bad = order(shop, '2026-10-01T12:10:00.000Z', { id: '5', totalPrice: 'not money' });
    expect(await service.applyEvents([events[0], bad, ...events.slice(1)])).toEqual([
      'applied',
      'rejected',
      'applied',
      'stale',
      'duplicate',
      'applied',
    ]);
    expect(await books(shop)).toEqual(expected);
  });
});
