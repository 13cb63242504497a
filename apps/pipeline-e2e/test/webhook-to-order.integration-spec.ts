import { ShopifyKafkaTopic } from '@shopwire/contracts';
import { startGroupAtEnd, testKafka, waitFor, shopifyWebhookHmac } from '@shopwire/testing';
import { randomUUID } from 'node:crypto';
import { runNode, startService, type ServiceProcess } from './service-process';

/**
 * The first path end to end, as separate processes: signed webhooks over HTTP → gateway →
 * Kafka → order service → Postgres → order API. Shopify's habits are applied on purpose: every
 * delivery sent three times and the lifecycle of each order shuffled so older updates often
 * arrive last. The order API must end with exactly one row per order, holding the newest state,
 * with IDs above 2^53 exactly as sent.
 */
const SECRET = 'e2e-webhook-secret';
const TOKEN = 'e2e-api-token-0123456789';
const SHOP = `e2e-${randomUUID().slice(0, 8)}.myshopify.com`;
const ORDERS = 60;

interface Delivery {
  topic: string;
  body: Buffer;
  webhookId: string;
}

function orderEvent(orderId: bigint, step: 0 | 1 | 2): Delivery {
  const topic = ['orders/create', 'orders/updated', 'orders/cancelled'][step];
  const financial = ['pending', 'paid', 'voided'][step];
  const updatedAt = `2026-11-27T10:0${step}:00Z`;
  const cancelled = step === 2 ? '"2026-11-27T10:02:00Z"' : 'null';
  const body = Buffer.from(
    `{"id":${orderId},"admin_graphql_api_id":"gid://shopify/Order/${orderId}","name":"#${orderId % 10000n}",` +
      `"order_number":${orderId % 10000n},"email":"buyer@example.com","created_at":"2026-11-27T10:00:00Z",` +
      `"updated_at":"${updatedAt}","currency":"EUR","financial_status":"${financial}","fulfillment_status":null,` +
      `"total_price":"1234567.89","subtotal_price":"1234567.89","total_tax":"0.00","total_discounts":"0.00",` +
      `"cancelled_at":${cancelled},"cancel_reason":${step === 2 ? '"customer"' : 'null'},` +
      `"line_items":[{"id":${orderId + 1n},"product_id":${orderId + 2n},"variant_id":${orderId + 3n},` +
      `"sku":"SKU-1","title":"Thing","quantity":2,"price":"617283.945"}]}`,
  );
  return { topic, body, webhookId: randomUUID() };
}

function shuffle<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

describe('webhook → gateway → Kafka → order → API (separate processes)', () => {
  let gateway: ServiceProcess;
  let order: ServiceProcess;
  const auth = { authorization: `Bearer ${TOKEN}` };

  beforeAll(async () => {
    // A fresh consumer group starts at the topic's current end: only this run's events matter.
    const group = `order-e2e-${randomUUID()}`;
    await startGroupAtEnd(testKafka(), group, [ShopifyKafkaTopic.Orders]);

    gateway = await startService('gateway', 3310, { SHOPIFY_WEBHOOK_SECRETS: SECRET });
    order = await startService('order', 3311, {
      API_TOKENS: `e2e:${TOKEN}`,
      ORDER_CONSUMER_GROUP: group,
      RUN_MIGRATIONS: 'true',
    });
  });

  afterAll(async () => {
    await Promise.all([gateway?.stop(), order?.stop()]);
  });

  it('ends with one row per order holding its newest state, after ×3 duplicates out of order', async () => {
    const orderIds = Array.from(
      { length: ORDERS },
      (_, i) => 820982911946154508n + BigInt(i) * 1000n,
    );
    const deliveries = orderIds.flatMap((id) => [
      orderEvent(id, 0),
      orderEvent(id, 1),
      orderEvent(id, 2),
    ]);
    // Each delivery three times (same webhook id, as Shopify's retries are), all shuffled.
    const sends = shuffle([...deliveries, ...deliveries, ...deliveries], 42);

    const statuses: number[] = [];
    for (let i = 0; i < sends.length; i += 30) {
      const slice = sends.slice(i, i + 30);
      const responses = await Promise.all(
        slice.map((d) =>
          fetch(`${gateway.url}/webhooks/shopify`, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'x-shopify-topic': d.topic,
              'x-shopify-hmac-sha256': shopifyWebhookHmac(SECRET, d.body),
              'x-shopify-shop-domain': SHOP,
              'x-shopify-webhook-id': d.webhookId,
              'x-shopify-api-version': '2026-10',
            },
            body: d.body,
          }),
        ),
      );
      statuses.push(...responses.map((r) => r.status));
    }
    expect(statuses.filter((s) => s !== 200)).toEqual([]);

    const rows = await waitFor(
      async () => {
        const all: Array<Record<string, unknown>> = [];
        let cursor: string | null = null;
        do {
          const query: string = `shop=${SHOP}&limit=250${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
          const page = (await (
            await fetch(`${order.url}/orders?${query}`, { headers: auth })
          ).json()) as {
            orders: Array<Record<string, unknown>>;
            next_cursor: string | null;
          };
          all.push(...page.orders);
          cursor = page.next_cursor;
        } while (cursor);
        const settled = all.length === ORDERS && all.every((o) => o.financial_status === 'voided');
        return settled ? all : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500, what: `${ORDERS} orders in their cancelled state` },
    );

    expect(rows.map((o) => o.id).sort()).toEqual(orderIds.map(String).sort());
    for (const row of rows) {
      expect(row).toMatchObject({
        shop_domain: SHOP,
        financial_status: 'voided',
        cancel_reason: 'customer',
        total_price: '1234567.89',
        last_shopify_topic: 'orders/cancelled',
      });
    }
    const one = (await (
      await fetch(`${order.url}/orders/${orderIds[7]}?shop=${SHOP}`, { headers: auth })
    ).json()) as {
      id: string;
      line_items: Array<{ id: string; product_id: string; price: string }>;
    };
    expect(one.id).toBe('820982911946161508');
    expect(one.line_items).toEqual([
      expect.objectContaining({
        id: '820982911946161509',
        product_id: '820982911946161510',
        price: '617283.945',
      }),
    ]);

    const metrics = await (await fetch(`${order.url}/metrics`)).text();
    const stale = Number(
      /shopwire_order_stale_updates_total\{[^}]*\} (\d+)/.exec(metrics)?.[1] ?? 0,
    );
    const duplicates = Number(
      /shopwire_order_duplicate_events_total\{[^}]*\} (\d+)/.exec(metrics)?.[1] ?? 0,
    );
    process.stdout.write(
      `e2e: ${sends.length} deliveries, stale skipped ${stale}, duplicates seen by order ${duplicates}\n`,
    );
    // The shuffle puts some older updates after newer ones; each of those was skipped, not applied.
    expect(stale).toBeGreaterThan(0);
  });

  it('carries the simulator’s realistic stream (with its duplicates) through to stored orders', async () => {
    const shop = `sim-${randomUUID().slice(0, 8)}.myshopify.com`;
    const result = await runNode(
      'dist/apps/shopify-sim/src/cli.js',
      [
        'send',
        '--rate',
        '100',
        '--count',
        '200',
        '--duplicates',
        '0.2',
        '--reorder-window',
        '10',
        '--topics',
        'orders/create=1',
        '--shops',
        shop,
        '--json',
        '--seed',
        'e2e',
      ],
      {
        GATEWAY_URL: `${gateway.url}/webhooks/shopify`,
        SHOPIFY_WEBHOOK_SECRET: SECRET,
        LOG_LEVEL: 'warn',
      },
    );
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}') as Record<
      string,
      number
    >;
    expect(summary.failed ?? 0).toBe(0);

    await waitFor(
      async () => {
        const page = (await (
          await fetch(`${order.url}/orders?shop=${shop}&limit=250`, { headers: auth })
        ).json()) as {
          orders: Array<{ id: string }>;
        };
        return page.orders.length === 200 && page.orders.every((o) => /^\d+$/.test(o.id));
      },
      { timeoutMs: 60_000, intervalMs: 500, what: '200 simulated orders stored once each' },
    );
  });
});
