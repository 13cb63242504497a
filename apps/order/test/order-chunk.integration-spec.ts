import { DomainTopic } from '@shopwire/contracts';
import { context } from '@shopwire/observability';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import type { LineItemState, OrderState } from '../src/orders/order-payload';
import { OrdersService, type ApplyOutcome, type OrderEvent } from '../src/orders/orders.service';
import { OrderTombstones } from '../src/privacy/order-tombstones';
import {
  DATABASE_URL,
  prepareTopic,
  resetSchema,
  startApp,
  testKafka,
  uniqueShop,
  type RunningApp,
} from './order-harness';

// The set-based chunk path against real Postgres, called directly so a test decides exactly what
// one chunk holds. A chunk with an event Postgres refuses is redone one event at a time; the same
// chunk with and without such an event must leave the same rows and events.
let db: Pool;
let order: RunningApp;
let service: OrdersService;

const line = (id: string): LineItemState => ({
  id,
  productId: '632910392',
  variantId: (BigInt(id) + 1n).toString(),
  sku: `SKU-${id}`,
  title: 'Item',
  quantity: 2,
  price: '99.50',
});

function state(id: string, updatedAt: string, extra: Partial<OrderState> = {}): OrderState {
  return {
    id,
    adminGraphqlApiId: `gid://shopify/Order/${id}`,
    name: '#1001',
    orderNumber: '1001',
    email: 'buyer@example.com',
    currency: 'USD',
    financialStatus: 'pending',
    fulfillmentStatus: null,
    totalPrice: '199.65',
    subtotalPrice: '199.00',
    totalTax: '0.65',
    totalDiscounts: '0.00',
    cancelledAt: null,
    cancelReason: null,
    createdAt: '2026-10-01T12:00:00-04:00',
    updatedAt,
    lineItems: [],
    customer: {
      id: '207119551',
      email: 'buyer@example.com',
      firstName: 'Jon',
      lastName: 'Snow',
      phone: null,
    },
    test: false,
    ...extra,
  };
}

const event = (shop: string, order: OrderState, webhookId = randomUUID()): OrderEvent => ({
  meta: {
    shopDomain: shop,
    webhookId,
    shopifyTopic: 'orders/updated',
    receivedAt: new Date().toISOString(),
  },
  order,
  offset: '0',
  trace: context.active(),
});

/** An order whose number does not fit a bigint: Postgres refuses it (22003). */
const poisoned = (shop: string) =>
  event(shop, state('5', '2026-10-02T10:00:00Z', { orderNumber: '99999999999999999999' }));

async function stored(shop: string) {
  const orders = await db.query(
    `SELECT id, financial_status, email, customer_first_name, cancelled_at IS NOT NULL AS cancelled,
            stale_updates_skipped, last_webhook_id, version_webhook_id, cancelled_webhook_id
     FROM orders.orders WHERE shop_domain = $1 ORDER BY id`,
    [shop],
  );
  const lines = await db.query(
    `SELECT order_id, id FROM orders.order_line_items WHERE shop_domain = $1
     ORDER BY order_id, position`,
    [shop],
  );
  const outbox = await db.query<{ topic: string; value: Buffer }>(
    `SELECT topic, value FROM orders.outbox WHERE key LIKE $1 ORDER BY id`,
    [`${shop}/%`],
  );
  return {
    orders: orders.rows,
    lines: lines.rows,
    events: outbox.rows.map((row) => {
      const value = JSON.parse(row.value.toString('utf8')) as {
        causationId: string;
        data: { order: { id: string; lineItems: { id: string }[] } };
      };
      return {
        topic: row.topic,
        causationId: value.causationId,
        orderId: value.data.order.id,
        lines: value.data.order.lineItems.map((l) => l.id),
      };
    }),
  };
}

beforeAll(async () => {
  await resetSchema();
  db = new Pool({ connectionString: DATABASE_URL, max: 2 });
  const groupId = `order-chunk-it-${randomUUID()}`;
  await prepareTopic(testKafka(), groupId);
  order = await startApp(groupId);
  service = order.app.get(OrdersService);
});

afterAll(async () => {
  await order?.close();
  await db?.end();
});

describe('a chunk applied set-based', () => {
  // The same order several times in one chunk: created, cancelled (a webhook without lines),
  // the same version again, an older version, the first webhook again; and a second order.
  function chunk(shop: string) {
    const ids = Array.from({ length: 5 }, () => randomUUID());
    const events = [
      event(
        shop,
        state('9007199254740993', '2026-10-02T09:00:00Z', {
          lineItems: [line('9007199254740995'), line('9007199254740997')],
        }),
        ids[0],
      ),
      event(shop, state('2', '2026-10-02T09:00:00Z', { lineItems: [line('11')] }), ids[1]),
      event(
        shop,
        state('9007199254740993', '2026-10-02T10:00:00Z', {
          cancelledAt: '2026-10-02T10:00:00Z',
          cancelReason: 'customer',
          lineItems: null,
        }),
        ids[2],
      ),
      event(
        shop,
        state('9007199254740993', '2026-10-02T06:00:00-04:00', {
          cancelledAt: '2026-10-02T10:00:00Z',
          financialStatus: 'refunded',
          lineItems: null,
        }),
        ids[3],
      ),
      event(
        shop,
        state('9007199254740993', '2026-10-02T08:00:00Z', {
          lineItems: [line('13')],
        }),
        ids[4],
      ),
      event(shop, state('9007199254740993', '2026-10-02T09:00:00Z'), ids[0]),
    ];
    return { ids, events };
  }

  const expectedOutcomes: ApplyOutcome[] = [
    'inserted',
    'inserted',
    'updated',
    'updated',
    'stale',
    'duplicate',
  ];

  function expected(ids: string[]) {
    return {
      orders: [
        {
          id: '2',
          financial_status: 'pending',
          email: 'buyer@example.com',
          customer_first_name: 'Jon',
          cancelled: false,
          stale_updates_skipped: 0,
          last_webhook_id: ids[1],
          version_webhook_id: ids[1],
          cancelled_webhook_id: null,
        },
        {
          id: '9007199254740993',
          financial_status: 'refunded',
          email: 'buyer@example.com',
          customer_first_name: 'Jon',
          cancelled: true,
          stale_updates_skipped: 1,
          last_webhook_id: ids[3],
          version_webhook_id: ids[2],
          cancelled_webhook_id: ids[2],
        },
      ],
      lines: [
        { order_id: '2', id: '11' },
        { order_id: '9007199254740993', id: '9007199254740995' },
        { order_id: '9007199254740993', id: '9007199254740997' },
      ],
      events: [
        [
          DomainTopic.OrderAccepted,
          ids[0],
          '9007199254740993',
          ['9007199254740995', '9007199254740997'],
        ],
        [DomainTopic.OrderAccepted, ids[1], '2', ['11']],
        [
          DomainTopic.OrderCancelled,
          ids[2],
          '9007199254740993',
          ['9007199254740995', '9007199254740997'],
        ],
      ].map(([topic, causationId, orderId, lines]) => ({ topic, causationId, orderId, lines })),
    };
  }

  it('leaves what applying its events one at a time leaves, and emits the same events', async () => {
    const shop = uniqueShop();
    const { ids, events } = chunk(shop);
    expect(await service.applyEvents(events)).toEqual(expectedOutcomes);
    expect(await stored(shop)).toEqual(expected(ids));
    // Redelivered whole: nothing changes.
    expect(await service.applyEvents(events)).toEqual(events.map(() => 'duplicate'));
    expect(await stored(shop)).toEqual(expected(ids));
  });

  it('redoes a chunk with an event Postgres refuses one event at a time, rejecting only that one', async () => {
    const shop = uniqueShop();
    const { ids, events } = chunk(shop);
    const bad = poisoned(shop);
    const outcomes = await service.applyEvents([...events.slice(0, 3), bad, ...events.slice(3)]);
    expect(outcomes).toEqual([
      ...expectedOutcomes.slice(0, 3),
      'rejected',
      ...expectedOutcomes.slice(3),
    ]);
    // The same rows and events as the set-based path left for the same chunk without it.
    expect(await stored(shop)).toEqual(expected(ids));
    const inbox = await db.query('SELECT 1 FROM orders.inbox WHERE event_id = $1', [
      bad.meta.webhookId,
    ]);
    expect(inbox.rows).toHaveLength(0);
  });

  it('skips an older version arriving in a later chunk and counts it on the stored order', async () => {
    const shop = uniqueShop();
    const newer = event(shop, state('77', '2026-10-03T12:00:00Z', { lineItems: [line('21')] }));
    const older = event(shop, state('77', '2026-10-03T11:00:00Z', { lineItems: [line('22')] }));
    const same = event(shop, state('77', '2026-10-03T08:00:00-04:00', { lineItems: null }));
    expect(await service.applyEvents([newer])).toEqual(['inserted']);
    expect(await service.applyEvents([older, same])).toEqual(['stale', 'updated']);
    const after = await stored(shop);
    expect(after.orders).toEqual([
      expect.objectContaining({
        stale_updates_skipped: 1,
        last_webhook_id: same.meta.webhookId,
        version_webhook_id: newer.meta.webhookId,
      }),
    ]);
    expect(after.lines).toEqual([{ order_id: '77', id: '21' }]);
    // The equal version is the same state again: no second event.
    expect(after.events.map((e) => e.topic)).toEqual([DomainTopic.OrderAccepted]);
  });

  it('stores an order of a redacted customer without personal data', async () => {
    const shop = uniqueShop();
    const tombstones = order.app.get(OrderTombstones);
    const queryable = { query: (sql: string, params?: unknown[]) => db.query(sql, params) };
    await tombstones.record(
      queryable,
      shop,
      { customerId: '207119551', email: null },
      randomUUID(),
    );
    const other = {
      id: '8',
      email: 'other@example.com',
      firstName: 'A',
      lastName: 'B',
      phone: null,
    };
    expect(
      await service.applyEvents([
        event(shop, state('31', '2026-10-04T12:00:00Z')),
        event(shop, state('32', '2026-10-04T12:00:00Z', { email: other.email, customer: other })),
      ]),
    ).toEqual(['inserted', 'inserted']);
    const after = await stored(shop);
    expect(after.orders.map((o) => [o.id, o.email, o.customer_first_name])).toEqual([
      ['31', null, null],
      ['32', 'other@example.com', 'A'],
    ]);
  });
});
