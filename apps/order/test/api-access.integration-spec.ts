import { randomUUID } from 'node:crypto';
import type { Kafka, Producer } from 'kafkajs';
import { Pool } from 'pg';
import {
  attackCredentials,
  attackRoutes,
  freePort,
  type AttackCredentials,
} from '@shopwire/testing';
import {
  DATABASE_URL,
  orderBody,
  prepareTopic,
  produceWebhooks,
  resetSchema,
  startApp,
  testKafka,
  uniqueShop,
  waitFor,
  type RunningApp,
} from './order-harness';

// The order service attacked over HTTP on every route it declares (read from its controllers at
// runtime), with real Kafka and Postgres behind it.
const groupId = `order-access-${randomUUID()}`;
const victim = uniqueShop();
const attacker = uniqueShop();
const credentials: AttackCredentials = attackCredentials(attacker, [
  { name: 'victim-no-pii', shops: [victim], scopes: ['orders:read'] },
  { name: 'victim-deliveries', shops: [victim], scopes: ['deliveries:read'] },
]);
let kafka: Kafka;
let producer: Producer;
let db: Pool;
let order: RunningApp;
let baseUrl: string;
let exportId: string;
const ORDER_ID = '820982911946154508';

const get = async (path: string, token: string) => {
  const response = await fetch(`${baseUrl}${path}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
};

beforeAll(async () => {
  await resetSchema();
  db = new Pool({ connectionString: DATABASE_URL, max: 2 });
  kafka = testKafka();
  await prepareTopic(kafka, groupId);
  producer = kafka.producer();
  await producer.connect();
  order = await startApp(groupId, { API_CREDENTIALS: credentials.env });
  const port = await freePort();
  await order.app.listen(port, '127.0.0.1');
  baseUrl = `http://127.0.0.1:${port}`;
  await produceWebhooks(producer, [
    {
      shop: victim,
      orderId: ORDER_ID,
      body: orderBody({
        id: ORDER_ID,
        updatedAt: '2026-10-01T12:00:00-04:00',
        customer: {
          id: '207119551',
          email: 'victim.buyer@example.com',
          firstName: 'Vic',
          lastName: 'Tim',
          phone: '+15550100',
        },
      }),
    },
  ]);
  await waitFor(async () => {
    const { rows } = await db.query('SELECT 1 FROM orders.orders WHERE shop_domain = $1', [victim]);
    return rows.length > 0;
  }, 'the victim order stored');
  exportId = randomUUID();
  await db.query(
    `INSERT INTO orders.privacy_exports (id, shop_domain, customer_id, webhook_id, order_count, export)
     VALUES ($1, $2, '207119551', $3, 1, '{"orders":[]}'::jsonb)`,
    [exportId, victim, randomUUID()],
  );
}, 120_000);

afterAll(async () => {
  await order?.close();
  await producer?.disconnect();
  await db?.end();
});

it('refuses every declared route without a token, without its scope and for another shop', async () => {
  const report = await attackRoutes({
    app: order.app,
    baseUrl,
    victimShop: victim,
    credentials,
    expectedPublic: ['GET /health/live', 'GET /health/ready', 'GET /metrics'],
    params: { id: exportId },
    resourceCheckedElsewhere: {
      'GET /dead-letters/:id': 'libs/dead-letters/test/dead-letters.integration-spec.ts',
    },
  });
  expect(report.routes.length).toBeGreaterThan(8);
  expect(report.failures).toEqual([]);
}, 120_000);

it('counts every refusal by route pattern and reason', async () => {
  const metric = await order.registry.getSingleMetric('shopwire_api_access_denied_total')!.get();
  const count = (route: string, reason: string) =>
    metric.values.find((v) => v.labels.route === route && v.labels.reason === reason)?.value ?? 0;
  for (const reason of ['no_token', 'unknown_token', 'missing_scope', 'shop_not_covered']) {
    expect(count('/orders/:id', reason)).toBeGreaterThan(0);
  }
});

it('the privacy export of a shop is not served for a resource id through another shop', async () => {
  // The resource route takes the export id only: its shop check is the handler's.
  expect((await get(`/privacy/exports/${exportId}`, credentials.otherShop)).status).toBe(403);
  expect((await get(`/privacy/exports/${exportId}`, credentials.full)).status).toBe(200);
});

it('leaves customer email, names and phone out without customers:read', async () => {
  const full = await get(`/orders/${ORDER_ID}?shop=${victim}`, credentials.full);
  expect(full.status).toBe(200);
  expect(full.json.email).toBe('victim.buyer@example.com');
  expect(full.json.customer).toMatchObject({ id: '207119551', phone: '+15550100' });

  const limited = await get(
    `/orders/${ORDER_ID}?shop=${victim}`,
    credentials.token('victim-no-pii'),
  );
  expect(limited.status).toBe(200);
  expect(limited.json).not.toHaveProperty('email');
  expect(limited.json.customer).toEqual({ id: '207119551' });
  const page = await get(`/orders?shop=${victim}`, credentials.token('victim-no-pii'));
  const text = JSON.stringify(page.json);
  for (const personal of ['victim.buyer@example.com', 'Vic', 'Tim', '+15550100']) {
    expect(text).not.toContain(personal);
  }
});

it('refuses a limited credential a shop it does not cover, and a list without naming one', async () => {
  expect((await get(`/orders?shop=${attacker}`, credentials.token('victim-no-pii'))).status).toBe(
    403,
  );
  expect((await get('/dead-letters', credentials.otherShop)).status).toBe(403);
  expect((await get(`/dead-letters?shop=${attacker}`, credentials.otherShop)).status).toBe(200);
});

describe('GET /deliveries', () => {
  it("answers a credential limited to a shop for that shop's deliveries only", async () => {
    const token = credentials.token('victim-deliveries');
    const own = await get(`/deliveries?shop=${victim}`, token);
    expect(own.status).toBe(200);
    const items = own.json.items as { shop: string; resourceId: string; outcome: string }[];
    expect(items.map((d) => [d.shop, d.resourceId, d.outcome])).toEqual([
      [victim, ORDER_ID, 'applied'],
    ]);
    expect((await get(`/deliveries?shop=${attacker}`, token)).status).toBe(403);
    // Naming no shop would span shops: refused to a credential limited to some.
    expect((await get('/deliveries', token)).status).toBe(403);
    // orders:read is not deliveries:read.
    expect(
      (await get(`/deliveries?shop=${victim}`, credentials.token('victim-no-pii'))).status,
    ).toBe(403);
    const anonymous = await fetch(`${baseUrl}/deliveries?shop=${victim}`);
    expect(anonymous.status).toBe(401);
  });

  it('pages through many deliveries newest first, each once, ties within a millisecond included', async () => {
    const shop = uniqueShop();
    // 130 rows: groups of three share one processed_at, and neighbours sit 400 µs apart, two or
    // three to a millisecond — where a cursor rounded to milliseconds would skip rows.
    await db.query(
      `INSERT INTO orders.delivery_journal (consumer_group, kafka_topic, event_id, kafka_partition,
         kafka_offset, accepted_at, processed_at, webhook_id, shop, topic, resource_id, outcome)
       SELECT 'order', 'shopify.orders.v1', 'page-' || n, 0, n, now(),
              timestamptz '2026-12-01 00:00:00Z' + (n / 3) * interval '400 microseconds',
              'page-' || n, $1, 'orders/updated', n::text, 'applied'
         FROM generate_series(1, 130) AS n`,
      [shop],
    );
    const expected: string[] = (
      await db.query<{ event_id: string }>(
        `SELECT event_id FROM orders.delivery_journal WHERE shop = $1
          ORDER BY processed_at DESC, id DESC`,
        [shop],
      )
    ).rows.map((r) => r.event_id);
    const seen: string[] = [];
    const pages: number[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `/deliveries?shop=${shop}&limit=50${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await get(query, credentials.full);
      expect(page.status).toBe(200);
      const items = page.json.items as { eventId: string }[];
      pages.push(items.length);
      seen.push(...items.map((d) => d.eventId));
      cursor = page.json.nextCursor as string | null;
    } while (cursor);
    expect(pages).toEqual([50, 50, 30]);
    expect(seen).toEqual(expected);
    expect(new Set(seen).size).toBe(130);
    // A time window and a resource narrow it on the server.
    const windowed = await get(
      `/deliveries?shop=${shop}&from=2026-12-01T00:00:00.000Z&to=2026-12-01T00:00:00.010Z`,
      credentials.full,
    );
    expect((windowed.json.items as unknown[]).length).toBeGreaterThan(0);
    expect((windowed.json.items as unknown[]).length).toBeLessThan(130);
    const one = await get(`/deliveries?shop=${shop}&resourceId=42`, credentials.full);
    expect((one.json.items as { eventId: string }[]).map((d) => d.eventId)).toEqual(['page-42']);
  });

  it('refuses a malformed filter or a cursor it did not hand out', async () => {
    const bad = [
      `limit=201`,
      `limit=0`,
      `outcome=lost`,
      `from=yesterday`,
      `from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z`,
      `cursor=${Buffer.from('2026-12-01|1').toString('base64url')}`,
      'cursor=not!base64',
    ];
    for (const query of bad) {
      expect([
        query,
        (await get(`/deliveries?shop=${victim}&${query}`, credentials.full)).status,
      ]).toEqual([query, 400]);
    }
  });
});
