import { decodeInventoryLevelLow, ShopifyKafkaTopic } from '@shopwire/contracts';
import type { Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import {
  DATABASE_URL,
  itemWebhook,
  levelWebhook,
  orderEventValue,
  produceWebhooks,
  resetSchema,
  startApp,
  startGroupAtEnd,
  testKafka,
  uniqueShop,
  waitFor,
  type OrderEventSpec,
  type RunningApp,
  type Webhook,
} from './inventory-harness';

// Real Kafka and Postgres. One shop, one hot SKU, three inventory apps in ONE consumer group
// (each a member of it, sharing the topics' partitions and working up to four at once, chunks of
// at most 5): orders accepted and cancelled (each order's two events on two topics, consumed
// concurrently), redelivered, level updates of every item holding the SKU, and two items moving
// to / away from it mid-stream. Checked exactly: the committed quantity, every level's latch
// against its final state, and one low-stock event per crossing — every change of a level's
// latch is logged by a trigger, and a decision taken on a stale read shows as a latch "set" to
// the value it already had, a crossing without its event, or a final latch that contradicts the
// final state. With inventory's keys (inventory.locks.ts) not taken, this fails.

const THRESHOLD = 100;
const SHOP = uniqueShop();
const HOT = 'HOT-1';
const COLD = 'COLD-1';
const LOCATIONS = ['11', '12'];
// I1, I2: HOT throughout; I3: COLD → HOT mid-stream; I4: HOT → COLD mid-stream.
const ITEMS = ['9007199254741001', '9007199254741002', '9007199254741003', '9007199254741004'];
const FIRST_SKU: Record<string, string> = {
  [ITEMS[0]]: HOT,
  [ITEMS[1]]: HOT,
  [ITEMS[2]]: COLD,
  [ITEMS[3]]: HOT,
};
const MOVED_TO: Record<string, string> = { [ITEMS[2]]: HOT, [ITEMS[3]]: COLD };
const ORDERS = 480;
const LEVEL_UPDATES = 60; // per (item, location)

let db: Pool;
let producer: Producer;
const apps: RunningApp[] = [];
const groupId = `inventory-sku-${randomUUID()}`;

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

beforeAll(async () => {
  await resetSchema();
  db = new Pool({ connectionString: DATABASE_URL, max: 2 });
  // Every time an evaluation writes a level's latch, in the order the writes happened (row
  // locks order writes to one row, the sequence numbers them in that order).
  await db.query(`DROP TABLE IF EXISTS public.sku_contention_latch_log`);
  await db.query(`
    CREATE TABLE public.sku_contention_latch_log (
      seq bigserial PRIMARY KEY, shop_domain text, inventory_item_id bigint,
      location_id bigint, old_low boolean, new_low boolean)`);
  await db.query(`
    CREATE OR REPLACE FUNCTION public.sku_contention_log_latch() RETURNS trigger AS $$
    BEGIN
      INSERT INTO public.sku_contention_latch_log
        (shop_domain, inventory_item_id, location_id, old_low, new_low)
      VALUES (NEW.shop_domain, NEW.inventory_item_id, NEW.location_id, OLD.low, NEW.low);
      RETURN NEW;
    END $$ LANGUAGE plpgsql`);
  await db.query(`
    CREATE TRIGGER sku_contention_latch AFTER UPDATE OF low ON inventory.levels
    FOR EACH ROW EXECUTE FUNCTION public.sku_contention_log_latch()`);
  const kafka = testKafka();
  await startGroupAtEnd(kafka, groupId);
  producer = kafka.producer({ idempotent: true, allowAutoTopicCreation: false });
  await producer.connect();
  for (let i = 0; i < 3; i++) {
    apps.push(
      await startApp(groupId, {
        LOW_STOCK_THRESHOLD: String(THRESHOLD),
        INVENTORY_MAX_CHUNK: '5',
        // The low-stock events are counted in the outbox, where they were decided.
        OUTBOX_RELAY_ENABLED: 'false',
      }),
    );
  }
}, 120_000);

afterAll(async () => {
  for (const app of apps) await app.close();
  await producer?.disconnect();
  await db?.query(`DROP TABLE IF EXISTS public.sku_contention_latch_log`);
  await db?.query(`DROP FUNCTION IF EXISTS public.sku_contention_log_latch() CASCADE`);
  await db?.end();
});

it('keeps one SKU’s commitment and low-stock crossings exact across three replicas', async () => {
  const next = random(20261206);

  // Orders: 1–3 units of HOT each, a third also 1–2 of COLD; every other one cancelled.
  const orders = Array.from({ length: ORDERS }, (_, n) => ({
    orderId: String(7_000_000_000n + BigInt(n)),
    lines: [
      { sku: HOT, quantity: 1 + Math.floor(next() * 3) },
      ...(next() < 0.33 ? [{ sku: COLD, quantity: 1 + Math.floor(next() * 2) }] : []),
    ],
    cancelled: n % 2 === 1,
  }));
  const orderEvents: (OrderEventSpec & { eventId: string })[] = orders.flatMap((order) =>
    (order.cancelled ? (['accepted', 'cancelled'] as const) : (['accepted'] as const)).map(
      (kind) => ({
        kind,
        shop: SHOP,
        orderId: order.orderId,
        lines: order.lines,
        eventId: `${kind}-${order.orderId}`,
      }),
    ),
  );
  const redelivered = orderEvents.filter(() => next() < 0.2);

  // Inventory webhooks, in each item's own order (one key per item, so one partition each).
  const at = (minute: number) => new Date(Date.UTC(2026, 11, 6, 0, minute)).toISOString();
  const finalAvailable = new Map<string, number>();
  const inventoryWebhooks: Webhook[] = [];
  for (const item of ITEMS) {
    inventoryWebhooks.push(itemWebhook(SHOP, item, FIRST_SKU[item], at(0)));
    for (let u = 1; u <= LEVEL_UPDATES; u++) {
      for (const location of LOCATIONS) {
        const available = 100 + Math.floor(next() * 300);
        inventoryWebhooks.push(levelWebhook(SHOP, item, location, available, at(u)));
        finalAvailable.set(`${item}/${location}`, available);
      }
      if (u === LEVEL_UPDATES / 2 && MOVED_TO[item]) {
        inventoryWebhooks.push(itemWebhook(SHOP, item, MOVED_TO[item], at(u)));
      }
    }
  }

  // Everything at once, interleaved in slices, so all three apps work on the SKU together.
  const slices = 6;
  const eventIds: string[] = [];
  const produced = orderEvents.map((spec) => ({ spec, ...orderEventValue(spec) }));
  for (let s = 0; s < slices; s++) {
    const part = <T>(all: T[]) =>
      all.slice(Math.floor((s * all.length) / slices), Math.floor(((s + 1) * all.length) / slices));
    const orderPart = [
      ...part(produced),
      ...part(redelivered).map((spec) => ({ spec, ...orderEventValue(spec) })),
    ];
    const webhookPart = part(inventoryWebhooks).map((w) => ({ ...w, webhookId: randomUUID() }));
    eventIds.push(...orderPart.map((p) => p.eventId), ...webhookPart.map((w) => w.webhookId));
    await producer.sendBatch({
      acks: -1,
      topicMessages: [
        ...(['accepted', 'cancelled'] as const).map((kind) => ({
          topic: `orders.order.${kind}.v1`,
          messages: orderPart
            .filter((p) => p.spec.kind === kind)
            .map((p) => ({ key: `${SHOP}/${p.spec.orderId}`, value: p.value })),
        })),
      ],
    });
    // The same key keeps an item's updates on one partition, in sequence.
    await produceWebhooks(producer, ShopifyKafkaTopic.Inventory, webhookPart);
  }
  const ids = [...new Set(eventIds)];
  await waitFor(
    async () =>
      Number(
        (
          await db.query<{ n: string }>(
            'SELECT count(*) AS n FROM inventory.inbox WHERE event_id = ANY($1)',
            [ids],
          )
        ).rows[0].n,
      ) === ids.length,
    { what: 'every event applied', timeoutMs: 120_000 },
  );

  // 1. Commitments, computed independently: the orders not cancelled.
  const expected: Record<string, number> = { [HOT]: 0, [COLD]: 0 };
  for (const order of orders)
    if (!order.cancelled) for (const line of order.lines) expected[line.sku] += line.quantity;
  const committed = Object.fromEntries(
    (
      await db.query<{ sku: string; committed: number }>(
        'SELECT sku, committed FROM inventory.sku_commitments WHERE shop_domain = $1',
        [SHOP],
      )
    ).rows.map((row) => [row.sku, row.committed]),
  );
  expect(committed).toEqual(expected);

  // 2. Every level's final state: the last available, the moved items' SKUs, and a latch that
  //    agrees with them.
  const levels = await db.query<{
    item: string;
    location: string;
    sku: string;
    available: number;
    low: boolean;
  }>(
    `SELECT l.inventory_item_id AS item, l.location_id AS location, i.sku, l.available, l.low
     FROM inventory.levels l JOIN inventory.items i USING (shop_domain, inventory_item_id)
     WHERE l.shop_domain = $1 ORDER BY 1, 2`,
    [SHOP],
  );
  expect(levels.rows).toHaveLength(ITEMS.length * LOCATIONS.length);
  for (const level of levels.rows) {
    const key = `${level.item}/${level.location}`;
    expect({ key, sku: level.sku, available: level.available }).toEqual({
      key,
      sku: MOVED_TO[level.item] ?? FIRST_SKU[level.item],
      available: finalAvailable.get(key),
    });
    expect({ key, low: level.low }).toEqual({
      key,
      low: level.available - expected[level.sku] < THRESHOLD,
    });
  }

  // 3. One event per crossing: every latch write changed the latch (none decided on a stale
  //    latch), and each level has exactly as many events as falls below the threshold.
  const log = await db.query<{
    item: string;
    location: string;
    old_low: boolean;
    new_low: boolean;
  }>(
    `SELECT inventory_item_id AS item, location_id AS location, old_low, new_low
     FROM public.sku_contention_latch_log WHERE shop_domain = $1 ORDER BY seq`,
    [SHOP],
  );
  const redundant = log.rows.filter((row) => row.old_low === row.new_low);
  expect(redundant).toEqual([]);
  const falls = new Map<string, number>();
  for (const row of log.rows)
    if (row.new_low)
      falls.set(`${row.item}/${row.location}`, (falls.get(`${row.item}/${row.location}`) ?? 0) + 1);
  const outbox = await db.query<{ value: Buffer }>(
    `SELECT value FROM inventory.outbox WHERE key LIKE $1 ORDER BY id`,
    [`${SHOP}/%`],
  );
  const events = new Map<string, number>();
  for (const { value } of outbox.rows) {
    const decoded = decodeInventoryLevelLow(value);
    if (!decoded.ok) throw new Error(`not a low-stock event: ${decoded.detail}`);
    const { data } = decoded.value;
    // What the event says was decided on one consistent state.
    expect(data.sellable).toBe(data.available - data.committed);
    expect(data.sellable).toBeLessThan(THRESHOLD);
    const key = `${data.inventoryItemId}/${data.locationId}`;
    events.set(key, (events.get(key) ?? 0) + 1);
  }
  expect(Object.fromEntries(events)).toEqual(Object.fromEntries(falls));
  // The run did hammer the SKU: many crossings, over every item.
  expect(outbox.rows.length).toBeGreaterThan(20);
}, 240_000);
