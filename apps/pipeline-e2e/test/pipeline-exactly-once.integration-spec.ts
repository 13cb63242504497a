import { waitFor, shopifyWebhookHmac } from '@shopwire/testing';
import { randomUUID } from 'node:crypto';
import { Pipeline, PIPELINE_SECRET } from './pipeline-harness';

/**
 * Exactly-once effects across all five services, every one its own process. The same 1,000
 * orders (created, some paid, some cancelled) go to two shops: one gets a single clean delivery
 * in lifecycle order; the other gets every delivery three times, all shuffled, with the gateway's
 * own duplicate filter off so the copies reach the consumers. Order rows, inventory commitments,
 * analytics totals, emails and ERP syncs must end identical. Then a customer is redacted and
 * no service's schema may still hold their personal data.
 */
// test-runs-alone: seven processes and ~2,400 deliveries; beside other suites on a 2-core machine
// its setup alone outgrows the timeout.
// 400 orders (about 800 webhooks clean, three shuffled copies of each for the other shop): every
// phase ordering and duplicate pattern occurs many times over; more only lengthens the run.
const ORDERS = 400;
const SKUS = Array.from({ length: 20 }, (_, i) => `SKU-${i}`);

interface Delivery {
  topic: string;
  body: Buffer;
  webhookId: string;
}

let seed = 20261127;
const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];

interface OrderPlan {
  id: bigint;
  lines: { id: bigint; sku: string; quantity: number; price: string }[];
  paid: boolean;
  cancelled: boolean;
  customer: { id: bigint; email: string; phone: string; first: string; last: string };
}

function plan(): OrderPlan[] {
  return Array.from({ length: ORDERS }, (_, i) => {
    const id = 820982911946154508n + BigInt(i) * 977n;
    return {
      id,
      lines: Array.from({ length: 1 + Math.floor(random() * 3) }, (_, l) => ({
        id: id * 10n + BigInt(l),
        sku: pick(SKUS),
        quantity: 1 + Math.floor(random() * 3),
        price: `${10 + Math.floor(random() * 90)}.${String(Math.floor(random() * 100)).padStart(2, '0')}`,
      })),
      paid: random() < 0.7,
      cancelled: random() < 0.2,
      customer: {
        id: 7000000000000000000n + BigInt(i),
        email: `buyer-${i}@example.com`,
        phone: `+1555${String(i).padStart(7, '0')}`,
        first: `First${i}z`,
        last: `Last${i}z`,
      },
    };
  });
}

function orderBody(order: OrderPlan, step: 0 | 1 | 2, customer = order.customer): Buffer {
  const total = order.lines.reduce((sum, l) => sum + Number(l.price) * l.quantity, 0).toFixed(2);
  const financial = step === 0 ? 'pending' : step === 1 ? 'paid' : 'voided';
  const updatedAt = `2026-11-27T10:0${step}:00Z`;
  const lines = order.lines
    .map(
      (l) =>
        `{"id":${l.id},"product_id":${l.id + 1n},"variant_id":${l.id + 2n},"sku":"${l.sku}","title":"Item ${l.sku}",` +
        `"quantity":${l.quantity},"price":"${l.price}"}`,
    )
    .join(',');
  return Buffer.from(
    `{"id":${order.id},"admin_graphql_api_id":"gid://shopify/Order/${order.id}","name":"#${order.id % 100000n}",` +
      `"order_number":${order.id % 100000n},"email":"${customer.email}","created_at":"2026-11-27T10:00:00Z",` +
      `"updated_at":"${updatedAt}","currency":"EUR","financial_status":"${financial}","fulfillment_status":null,` +
      `"total_price":"${total}","subtotal_price":"${total}","total_tax":"1.00","total_discounts":"0.50",` +
      `"cancelled_at":${step === 2 ? '"2026-11-27T10:02:00Z"' : 'null'},"cancel_reason":${step === 2 ? '"customer"' : 'null'},` +
      `"customer":{"id":${customer.id},"email":"${customer.email}","first_name":"${customer.first}",` +
      `"last_name":"${customer.last}","phone":"${customer.phone}"},"line_items":[${lines}],"test":false}`,
  );
}

function deliveries(orders: OrderPlan[]): Delivery[][] {
  const phase = (step: 0 | 1 | 2, topic: string, include: (o: OrderPlan) => boolean) =>
    orders
      .filter(include)
      .map((o) => ({ topic, body: orderBody(o, step), webhookId: randomUUID() }));
  return [
    phase(0, 'orders/create', () => true),
    phase(1, 'orders/paid', (o) => o.paid),
    phase(2, 'orders/cancelled', (o) => o.cancelled),
  ];
}

function shuffle<T>(items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

async function send(url: string, shop: string, items: Delivery[], concurrency = 32): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const d = items[next++];
      // Like Shopify, come back after a 503 (the gateway could not get Kafka's acknowledgement in
      // time, e.g. on a loaded machine): it is the gateway's "not taken, send again", and a
      // re-sent delivery is one more duplicate the pipeline must absorb.
      for (let attempt = 1; ; attempt++) {
        const status = await post(url, shop, d);
        if (status === 200) break;
        if (status !== 503 || attempt === 10) throw new Error(`gateway answered ${status}`);
        await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, () => worker()));
}

async function post(url: string, shop: string, d: Delivery): Promise<number> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-shopify-topic': d.topic,
      'x-shopify-hmac-sha256': shopifyWebhookHmac(PIPELINE_SECRET, d.body),
      'x-shopify-shop-domain': shop,
      'x-shopify-webhook-id': d.webhookId,
      'x-shopify-api-version': '2026-10',
    },
    body: d.body,
  });
  await response.arrayBuffer();
  return response.status;
}

/** What each service holds for a shop, as comparable text. */
async function summary(pipeline: Pipeline, shop: string): Promise<Record<string, string>> {
  const one = async (sql: string) => {
    const result = await pipeline.db.query<{ v: string | null }>(sql, [shop]);
    return String(result.rows[0]?.v ?? '');
  };
  return {
    orders:
      await one(`SELECT count(*) || ':' || md5(string_agg(id || financial_status || coalesce(cancelled_at::text, '-'), ',' ORDER BY id)) AS v
                         FROM orders.orders WHERE shop_domain = $1`),
    committed: await one(`SELECT string_agg(sku || '=' || committed, ',' ORDER BY sku) AS v
                            FROM inventory.sku_commitments WHERE shop_domain = $1`),
    sales:
      await one(`SELECT sum(orders) || '/' || sum(gross) || '/' || sum(tax) || '/' || sum(discounts) AS v
                        FROM analytics.daily_sales WHERE shop_domain = $1`),
    emails: await one(`SELECT string_agg(template || '=' || n, ',' ORDER BY template) AS v FROM (
                         SELECT template, count(*) AS n FROM notification.notifications
                          WHERE shop_domain = $1 AND status = 'sent' GROUP BY template) t`),
    synced: await one(
      `SELECT count(*) AS v FROM sync.order_syncs WHERE shop_domain = $1 AND status = 'synced'`,
    ),
  };
}

describe('exactly-once effects across all services (separate processes)', () => {
  let pipeline: Pipeline;
  const orders = plan();
  const clean = `clean-${randomUUID().slice(0, 8)}.myshopify.com`;
  const dirty = `dirty-${randomUUID().slice(0, 8)}.myshopify.com`;

  beforeAll(async () => {
    pipeline = await Pipeline.start({ DEDUPE_ENABLED: 'false' });
  });

  afterAll(async () => {
    await pipeline?.stop();
  });

  it('gives the same effects for ×3 shuffled deliveries as for one clean delivery', async () => {
    for (const phase of deliveries(orders)) await send(pipeline.gatewayWebhookUrl, clean, phase);
    const all = deliveries(orders).flat();
    await send(pipeline.gatewayWebhookUrl, dirty, shuffle([...all, ...all, ...all]));

    const cancelled = orders.filter((o) => o.cancelled).length;
    const expected = await waitFor(
      async () => {
        const s = await summary(pipeline, clean);
        const done =
          s.orders.startsWith(`${ORDERS}:`) &&
          s.synced === String(ORDERS) &&
          s.emails === `order-cancellation=${cancelled},order-confirmation=${ORDERS}`;
        return done ? s : undefined;
      },
      { what: 'the clean shop fully processed', timeoutMs: 240_000, intervalMs: 1000 },
    );
    let last: Record<string, string> = {};
    await waitFor(
      async () => {
        last = await summary(pipeline, dirty);
        return JSON.stringify(last) === JSON.stringify(expected);
      },
      {
        what: 'the duplicated, shuffled shop to match the clean one',
        timeoutMs: 240_000,
        intervalMs: 1000,
      },
    ).catch(() => undefined);
    process.stdout.write(
      `exactly-once: clean ${JSON.stringify(expected)}\n              dirty ${JSON.stringify(last)}\n`,
    );
    expect(last).toEqual(expected);
  });

  it('leaves no personal data of a redacted customer in any service', async () => {
    const customer = orders[3].customer;
    const body = Buffer.from(
      `{"shop_id":954889,"shop_domain":"${dirty}","customer":{"id":${customer.id},"email":"${customer.email}",` +
        `"phone":"${customer.phone}"},"orders_to_redact":[${orders[3].id}]}`,
    );
    await send(pipeline.gatewayWebhookUrl, dirty, [
      { topic: 'customers/redact', body, webhookId: randomUUID() },
    ]);

    // The same customer also bought in the clean shop, which keeps their data: only rows of the
    // redacted shop count (a row is the shop's when its shop_domain says so, or, for tables
    // without one such as the outbox, when its text names the shop).
    const columns = await pipeline.db.query<{
      table_schema: string;
      table_name: string;
      column_name: string;
      data_type: string;
      has_shop: boolean;
    }>(
      `SELECT c.table_schema, c.table_name, c.column_name, c.data_type,
              EXISTS (SELECT 1 FROM information_schema.columns s WHERE s.table_schema = c.table_schema
                         AND s.table_name = c.table_name AND s.column_name = 'shop_domain') AS has_shop
         FROM information_schema.columns c
         JOIN information_schema.tables t USING (table_schema, table_name)
        WHERE c.table_schema IN ('orders', 'inventory', 'notification', 'analytics', 'sync')
          AND t.table_type = 'BASE TABLE' AND c.data_type IN ('text', 'jsonb', 'character varying', 'bytea')`,
    );
    const leftovers = async () => {
      const found: string[] = [];
      for (const { table_schema, table_name, column_name, data_type, has_shop } of columns.rows) {
        const value =
          data_type === 'bytea'
            ? `convert_from("${column_name}", 'UTF8')`
            : `"${column_name}"::text`;
        const ofShop = has_shop ? 'shop_domain = $4' : `${value} LIKE '%' || $4 || '%'`;
        const result = await pipeline.db.query<{ n: string }>(
          `SELECT count(*) AS n FROM "${table_schema}"."${table_name}"
            WHERE ${ofShop} AND (${value} LIKE '%' || $1 || '%' OR ${value} LIKE '%' || $2 || '%'
                                 OR ${value} LIKE '%' || $3 || '%')`,
          [customer.email, customer.phone, customer.last, dirty],
        );
        if (Number(result.rows[0].n) > 0)
          found.push(`${table_schema}.${table_name}.${column_name}`);
      }
      return found;
    };
    let remaining: string[] = [];
    await waitFor(
      async () => {
        remaining = await leftovers();
        return remaining.length === 0;
      },
      { what: 'every service to erase the customer', timeoutMs: 60_000, intervalMs: 1000 },
    ).catch(() => undefined);
    expect(remaining).toEqual([]);
  });
});
