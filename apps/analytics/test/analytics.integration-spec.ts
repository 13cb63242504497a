import { ShopifyKafkaTopic, type OrderData } from '@shopwire/contracts';
import type { Kafka, Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import {
  DATABASE_URL,
  metricValue,
  produceOrderEvents,
  produceWebhooks,
  resetSchema,
  startApp,
  startGroupAtEnd,
  testKafka,
  uniqueShop,
  waitFor,
  type OrderEventMessage,
  type RunningApp,
} from './analytics-harness';

// Real Kafka (127.0.0.1:9092) and Postgres; topics pre-provisioned (`npm run provision`).
const groupId = `analytics-it-${randomUUID()}`;
const ORDERS = 60;
let kafka: Kafka;
let producer: Producer;
let db: Pool;
let analytics: RunningApp;

/** A seeded generator, so a failure reproduces. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

function shuffle<T>(items: T[], next: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

const cents = (value: bigint) => {
  const sign = value < 0n ? '-' : '';
  const abs = value < 0n ? -value : value;
  return `${sign}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
};

interface Line {
  product: string;
  quantity: number;
  priceCents: bigint;
}

interface State {
  version: string;
  cancelled: boolean;
  test: boolean;
  totalCents: bigint;
  taxCents: bigint;
  discountCents: bigint;
  lines: Line[];
}

interface Lifecycle {
  orderId: string;
  createdAt: string;
  /** UTC day of created_at: what the expectation groups by. */
  day: string;
  currency: string;
  states: { kind: 'accepted' | 'updated' | 'cancelled'; state: State; eventId: string }[];
}

const PRODUCTS = ['632910392', '632910393', '9007199254740993', '820982911946154508', '42'];
// Local times with offsets, some of which fall on the next UTC day.
const CREATED = [
  ['2026-11-25T10:00:00Z', '2026-11-25'],
  ['2026-11-25T21:30:00-05:00', '2026-11-26'],
  ['2026-11-26T08:15:00+02:00', '2026-11-26'],
  ['2026-11-27T23:59:59Z', '2026-11-27'],
] as const;

/** Each order: accepted, 0–2 updates, maybe cancelled (sometimes at the same version as the last update). */
function lifecycles(next: () => number): Lifecycle[] {
  return Array.from({ length: ORDERS }, (_, i) => {
    const [createdAt, day] = CREATED[i % CREATED.length];
    const base = Date.parse('2026-11-27T12:00:00Z');
    const state = (step: number, cancelled: boolean): State => {
      const lines = Array.from({ length: 1 + Math.floor(next() * 3) }, () => ({
        product: PRODUCTS[Math.floor(next() * PRODUCTS.length)],
        quantity: 1 + Math.floor(next() * 4),
        priceCents: BigInt(100 + Math.floor(next() * 9900)),
      }));
      const subtotal = lines.reduce((s, l) => s + l.priceCents * BigInt(l.quantity), 0n);
      const taxCents = subtotal / 10n;
      const discountCents = BigInt(Math.floor(next() * 500));
      return {
        version: new Date(base + i * 60_000 + step * 1000).toISOString(),
        cancelled,
        test: i % 17 === 5,
        totalCents: subtotal + taxCents - discountCents,
        taxCents,
        discountCents,
        lines,
      };
    };
    const updates = Math.floor(next() * 3);
    const states: Lifecycle['states'] = [
      { kind: 'accepted', state: state(0, false), eventId: randomUUID() },
    ];
    for (let u = 1; u <= updates; u++)
      states.push({ kind: 'updated', state: state(u, false), eventId: randomUUID() });
    const roll = next();
    if (roll < 0.3) {
      states.push({
        kind: 'cancelled',
        state: {
          ...states[states.length - 1].state,
          version: state(updates + 1, true).version,
          cancelled: true,
        },
        eventId: randomUUID(),
      });
    } else if (roll < 0.4) {
      // Cancelled with the same updated_at as the last update: the cancellation must win.
      states.push({
        kind: 'cancelled',
        state: { ...states[states.length - 1].state, cancelled: true },
        eventId: randomUUID(),
      });
    }
    return {
      orderId: String(820982911946154508n + BigInt(i) * 7n),
      createdAt,
      day,
      currency: i % 3 === 0 ? 'EUR' : 'USD',
      states,
    };
  });
}

function toMessages(shop: string, cycle: Lifecycle): OrderEventMessage[] {
  return cycle.states.map(({ kind, state, eventId }) => {
    const order: OrderData = {
      id: cycle.orderId,
      name: '#1',
      orderNumber: '1',
      email: 'buyer@example.com',
      customer: {
        id: '1',
        email: 'buyer@example.com',
        firstName: 'Jo',
        lastName: 'Doe',
        phone: null,
      },
      currency: cycle.currency,
      financialStatus: 'paid',
      fulfillmentStatus: null,
      totalPrice: cents(state.totalCents),
      subtotalPrice: cents(state.totalCents),
      totalTax: cents(state.taxCents),
      totalDiscounts: cents(state.discountCents),
      createdAt: cycle.createdAt,
      updatedAt: state.version,
      cancelledAt: state.cancelled ? state.version : null,
      cancelReason: state.cancelled ? 'customer' : null,
      test: state.test,
      lineItems: state.lines.map((line, index) => ({
        id: String(BigInt(cycle.orderId) + BigInt(index) + 1n),
        productId: line.product,
        variantId: null,
        sku: `SKU-${line.product}`,
        title: `Product ${line.product}`,
        quantity: line.quantity,
        price: cents(line.priceCents),
      })),
    };
    // Per shop: the two shops' copies of an order are different events.
    return { kind, eventId: `${eventId}@${shop}`, shop, order };
  });
}

/** The expected aggregates, from each order's final state, computed without the service's code. */
function expected(cycles: Lifecycle[]) {
  const days = new Map<string, { orders: number; gross: bigint; tax: bigint; discounts: bigint }>();
  const products = new Map<string, { units: number; revenue: bigint }>();
  for (const cycle of cycles) {
    const final = cycle.states[cycle.states.length - 1].state;
    if (final.cancelled || final.test) continue;
    const key = `${cycle.day}|${cycle.currency}`;
    const day = days.get(key) ?? { orders: 0, gross: 0n, tax: 0n, discounts: 0n };
    day.orders += 1;
    day.gross += final.totalCents;
    day.tax += final.taxCents;
    day.discounts += final.discountCents;
    days.set(key, day);
    for (const line of final.lines) {
      const pkey = `p:${line.product}|${cycle.currency}`;
      const p = products.get(pkey) ?? { units: 0, revenue: 0n };
      p.units += line.quantity;
      p.revenue += line.priceCents * BigInt(line.quantity);
      products.set(pkey, p);
    }
  }
  return {
    days: [...days]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([key, d]) => {
        const [day, currency] = key.split('|');
        return {
          day,
          currency,
          orders: d.orders,
          gross: cents(d.gross),
          tax: cents(d.tax),
          discounts: cents(d.discounts),
        };
      }),
    products: [...products].map(([key, p]) => {
      const [product_key, currency] = key.split('|');
      return { product_key, currency, units: p.units, revenue: cents(p.revenue) };
    }),
  };
}

const inboxed = async (ids: string[]) =>
  Number(
    (
      await db.query<{ n: string }>(
        'SELECT count(*) AS n FROM analytics.inbox WHERE event_id = ANY($1)',
        [ids],
      )
    ).rows[0].n,
  ) === ids.length;

async function daily(shop: string, from = '2026-11-01', to = '2026-11-30') {
  const response = await analytics.get(`/sales/daily?shop=${shop}&from=${from}&to=${to}`);
  expect(response.statusCode).toBe(200);
  return response.json() as {
    days: unknown[];
    totals: { currency: string; orders: number; gross: string }[];
  };
}

async function top(shop: string, by: 'units' | 'revenue') {
  const response = await analytics.get(
    `/products/top?shop=${shop}&from=2026-11-01&to=2026-11-30&by=${by}&limit=100`,
  );
  expect(response.statusCode).toBe(200);
  return (
    response.json() as {
      products: { product_key: string; currency: string; units: number; revenue: string }[];
    }
  ).products;
}

const cycles = lifecycles(random(20261127));
const shuffledShop = uniqueShop();
const cleanShop = uniqueShop();

beforeAll(async () => {
  await resetSchema();
  db = new Pool({ connectionString: DATABASE_URL, max: 2 });
  kafka = testKafka();
  await startGroupAtEnd(kafka, groupId);
  producer = kafka.producer({ idempotent: true, allowAutoTopicCreation: false });
  await producer.connect();
  analytics = await startApp(groupId);

  // One clean delivery, in lifecycle order: each step waits for the previous one to be applied.
  const clean = cycles.map((cycle) => toMessages(cleanShop, cycle));
  for (let step = 0; step < 4; step++) {
    const batch = clean.flatMap((messages) => (messages[step] ? [messages[step]] : []));
    if (batch.length === 0) continue;
    await produceOrderEvents(producer, batch);
    await waitFor(() => inboxed(batch.map((m) => m.eventId)), `clean step ${step} applied`);
  }
  // The same orders for another shop, every event three times, all shuffled.
  const messages = cycles.flatMap((cycle) => toMessages(shuffledShop, cycle));
  await produceOrderEvents(producer, shuffle([...messages, ...messages, ...messages], random(7)));
  await waitFor(
    () => inboxed(messages.map((m) => m.eventId)),
    'shuffled deliveries applied',
    120_000,
  );
}, 240_000);

afterAll(async () => {
  await analytics?.close();
  await producer?.disconnect();
  await db?.end();
});

describe('analytics totals', () => {
  it('uses more than 50 orders with updates, cancellations and test orders', () => {
    const kinds = cycles.flatMap((c) => c.states.map((s) => s.kind));
    expect(cycles.length).toBeGreaterThanOrEqual(50);
    expect(kinds.filter((k) => k === 'updated').length).toBeGreaterThan(10);
    expect(kinds.filter((k) => k === 'cancelled').length).toBeGreaterThan(5);
  });

  it('gives daily sales exactly as computed from each order’s final state, shuffled ×3 or clean', async () => {
    const want = expected(cycles);
    const shuffled = await daily(shuffledShop);
    expect(shuffled.days).toEqual(want.days);
    expect(await daily(cleanShop)).toEqual({ ...shuffled, shop: cleanShop });
  });

  it('gives top products exactly as computed, ranked by units or by revenue', async () => {
    const want = expected(cycles).products;
    const sortKey = (p: { product_key: string; currency: string }) =>
      `${p.product_key}|${p.currency}`;
    const strip = (
      list: { product_key: string; currency: string; units: number; revenue: string }[],
    ) =>
      list.map(({ product_key, currency, units, revenue }) => ({
        product_key,
        currency,
        units,
        revenue,
      }));
    const byUnits = await top(shuffledShop, 'units');
    expect(strip(byUnits).sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1))).toEqual(
      want.sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1)),
    );
    const units = byUnits.map((p) => p.units);
    expect(units).toEqual([...units].sort((a, b) => b - a));
    const byRevenue = await top(shuffledShop, 'revenue');
    const revenue = byRevenue.map((p) => BigInt(p.revenue.replace('.', '')));
    expect(revenue).toEqual([...revenue].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0)));
    expect(strip(await top(cleanShop, 'units'))).toEqual(strip(byUnits));
  });

  it('keeps one contribution row per order and stores no personal data', async () => {
    const contributions = await db.query<{ n: string }>(
      `SELECT count(*) AS n FROM analytics.order_contributions
       WHERE shop_domain = $1`,
      [shuffledShop],
    );
    expect(contributions.rows[0].n).toBe(String(ORDERS));
    const dump = await db.query(
      `SELECT string_agg(row_to_json(c)::text, ' ') AS all FROM analytics.order_contributions c`,
    );
    expect(dump.rows[0].all).not.toMatch(/buyer@example\.com|Doe/);
  });
});

describe('analytics API', () => {
  it('restricts daily sales to the range asked for', async () => {
    const want = expected(cycles).days.filter((d) => d.day === '2026-11-26');
    const one = await daily(shuffledShop, '2026-11-26', '2026-11-26');
    expect(one.days).toEqual(want);
    expect(one.totals.map((t) => [t.currency, t.orders, t.gross])).toEqual(
      want.map((d) => [d.currency, d.orders, d.gross]),
    );
    expect((await daily(shuffledShop, '2026-12-01', '2026-12-31')).days).toEqual([]);
    expect((await daily(uniqueShop())).days).toEqual([]);
  });

  it('rejects bad ranges and parameters, and needs a token', async () => {
    const bad = await analytics.get(
      `/sales/daily?shop=${shuffledShop}&from=2026-11-30&to=2026-11-01`,
    );
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ message: ['from must not be after to'] });
    const worse = await analytics.get(
      `/products/top?shop=x.com&from=2026-02-30&to=2026-11-01&by=price&limit=0`,
    );
    expect(worse.json()).toMatchObject({
      message: expect.arrayContaining([
        'shop must be a *.myshopify.com domain',
        'from must be a date, YYYY-MM-DD',
        'by must be units or revenue',
        'limit must be between 1 and 100',
      ]),
    });
    expect(
      (await analytics.get(`/sales/daily?shop=${shuffledShop}&from=2025-01-01&to=2026-11-01`))
        .statusCode,
    ).toBe(400);
    expect(
      (await analytics.get(`/sales/daily?shop=${shuffledShop}&from=2026-11-01&to=2026-11-02`, null))
        .statusCode,
    ).toBe(401);
    const limited = await analytics.get(
      `/products/top?shop=${shuffledShop}&from=2026-11-01&to=2026-11-30&limit=2`,
    );
    expect((limited.json() as { products: unknown[] }).products).toHaveLength(2);
  });

  it('serves OpenAPI, readiness and metrics', async () => {
    const docs = await analytics.get('/docs-json', null);
    expect(Object.keys((docs.json() as { paths: object }).paths)).toEqual(
      expect.arrayContaining(['/sales/daily', '/products/top']),
    );
    const ready = await analytics.get('/health/ready', null);
    expect(ready.statusCode).toBe(200);
    const metrics = await analytics.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/shopwire_analytics_events_total\{[^}]*outcome="duplicate"/);
  });
});

describe('analytics privacy', () => {
  it('records redact requests and marks an uninstalled shop inactive', async () => {
    const shop = cleanShop;
    const compliance = { group: 'analytics', topic: ShopifyKafkaTopic.Compliance };
    const ignoredBefore = await metricValue(
      analytics.registry,
      'shopwire_consumer_messages_ignored_total',
      { ...compliance, reason: 'shop' },
    );
    const rejectedBefore = await metricValue(
      analytics.registry,
      'shopwire_consumer_messages_rejected_total',
      compliance,
    );
    // A webhook without its envelope headers cannot be attributed to a shop: refused, with why.
    await producer.send({
      topic: ShopifyKafkaTopic.Compliance,
      acks: -1,
      messages: [{ key: shop, value: '{"shop_id":1}' }],
    });
    // Not a privacy webhook: nothing for analytics, counted as ignored by its family.
    await produceWebhooks(producer, ShopifyKafkaTopic.Compliance, [
      { shop, shopifyTopic: 'shop/update', resourceId: null, body: '{"id":1}' },
    ]);
    const ids = await produceWebhooks(producer, ShopifyKafkaTopic.Compliance, [
      {
        shop,
        shopifyTopic: 'customers/redact',
        resourceId: '1',
        body: '{"customer":{"id":1,"email":"a@b.c"}}',
      },
      { shop, shopifyTopic: 'shop/redact', resourceId: null, body: '{"shop_id":1}' },
      { shop, shopifyTopic: 'app/uninstalled', resourceId: null, body: '{"id":1}' },
    ]);
    await waitFor(() => inboxed(ids), 'compliance applied');
    const requests = await db.query(
      'SELECT shopify_topic, outcome FROM analytics.privacy_requests WHERE shop_domain = $1 ORDER BY shopify_topic',
      [shop],
    );
    expect(requests.rows).toEqual([
      { shopify_topic: 'customers/redact', outcome: expect.stringMatching(/^completed/) },
      { shopify_topic: 'shop/redact', outcome: expect.stringMatching(/^completed/) },
    ]);
    const shops = await db.query('SELECT active FROM analytics.shops WHERE shop_domain = $1', [
      shop,
    ]);
    expect(shops.rows).toEqual([{ active: false }]);
    // Counted once the chunk's handler resolved (the same partition: key = shop domain).
    await waitFor(
      async () =>
        (await metricValue(analytics.registry, 'shopwire_consumer_messages_ignored_total', {
          ...compliance,
          reason: 'shop',
        })) ===
          ignoredBefore + 1 &&
        (await metricValue(
          analytics.registry,
          'shopwire_consumer_messages_rejected_total',
          compliance,
        )) ===
          rejectedBefore + 1,
      'the webhook without envelope rejected and shop/update ignored',
    );
  });
});
