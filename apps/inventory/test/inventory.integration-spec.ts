import { decodeInventoryLevelLow, DomainTopic, ShopifyKafkaTopic } from '@shopwire/contracts';
import { collectMessages, topicPositions } from '@shopwire/testing';
import type { Kafka, Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import {
  DATABASE_URL,
  itemWebhook,
  levelWebhook,
  metricValue,
  produceOrderEvents,
  produceWebhooks,
  resetSchema,
  startApp,
  startGroupAtEnd,
  testKafka,
  uniqueShop,
  waitFor,
  type OrderEventSpec,
  type RunningApp,
} from './inventory-harness';

// Real Kafka (127.0.0.1:9092) and Postgres; topics pre-provisioned (`npm run provision`).
// test-runs-alone: it counts every low-stock event for its shop, and any other inventory service
// running at the same time (another suite's, in its own group) would consume the same webhooks
// and emit them again.
const groupId = `inventory-it-${randomUUID()}`;
let kafka: Kafka;
let producer: Producer;
let db: Pool;
let inventory: RunningApp;

const inboxed = async (ids: string[]): Promise<number> =>
  Number(
    (
      await db.query<{ n: string }>(
        'SELECT count(*) AS n FROM inventory.inbox WHERE event_id = ANY($1)',
        [ids],
      )
    ).rows[0].n,
  );
const allInboxed = (ids: string[]) => async () =>
  (await inboxed([...new Set(ids)])) === new Set(ids).size;

async function committed(shop: string): Promise<Record<string, number>> {
  const { rows } = await db.query<{ sku: string; committed: number }>(
    'SELECT sku, committed FROM inventory.sku_commitments WHERE shop_domain = $1 AND committed <> 0',
    [shop],
  );
  return Object.fromEntries(rows.map((row) => [row.sku, row.committed]));
}

beforeAll(async () => {
  await resetSchema();
  db = new Pool({ connectionString: DATABASE_URL, max: 2 });
  kafka = testKafka();
  await startGroupAtEnd(kafka, groupId);
  producer = kafka.producer({ idempotent: true, allowAutoTopicCreation: false });
  await producer.connect();
  inventory = await startApp(groupId, { LOW_STOCK_THRESHOLD: '5' });
});

afterAll(async () => {
  await inventory?.close();
  await producer?.disconnect();
  await db?.end();
});

describe('inventory levels', () => {
  it('keeps the newest level per item and location; older and repeated updates change nothing', async () => {
    const shop = uniqueShop();
    const item = '9007199254740993'; // 2^53 + 1: a JS number would make it ...992
    const newer = levelWebhook(
      shop,
      item,
      '820982911946154508',
      7,
      '2026-11-27T10:05:00-05:00',
      randomUUID(),
    );
    const older = levelWebhook(shop, item, '820982911946154508', 3, '2026-11-27T15:00:00Z');
    const other = levelWebhook(shop, item, '2', 11, '2026-11-27T15:00:00Z');
    const ids = await produceWebhooks(producer, ShopifyKafkaTopic.Inventory, [
      newer,
      newer,
      newer,
      older,
      other,
    ]);
    await waitFor(allInboxed(ids), 'level webhooks applied');

    const { rows } = await db.query(
      `SELECT inventory_item_id, location_id, available, stale_updates_skipped, last_webhook_id
       FROM inventory.levels WHERE shop_domain = $1 ORDER BY location_id`,
      [shop],
    );
    expect(rows).toEqual([
      {
        inventory_item_id: item,
        location_id: '2',
        available: 11,
        stale_updates_skipped: 0,
        last_webhook_id: ids[4],
      },
      {
        inventory_item_id: item,
        location_id: '820982911946154508',
        available: 7,
        stale_updates_skipped: 1,
        last_webhook_id: newer.webhookId,
      },
    ]);
  });
});

describe('messages inventory cannot use', () => {
  it('dead-letters a level it cannot read, ignores families it does not use, applies the rest', async () => {
    const shop = uniqueShop();
    const item = '4000000000000000001';
    const labels = { group: 'inventory', topic: ShopifyKafkaTopic.Inventory };
    const rejectedBefore = await metricValue(
      inventory.registry,
      'shopwire_consumer_messages_rejected_total',
      labels,
    );
    const ignoredBefore = await metricValue(
      inventory.registry,
      'shopwire_consumer_messages_ignored_total',
      { ...labels, reason: 'inventory_items' },
    );
    // One partition (the same key), so the valid level is applied after the other two.
    const ids = await produceWebhooks(producer, ShopifyKafkaTopic.Inventory, [
      {
        shop,
        shopifyTopic: 'inventory_levels/update',
        resourceId: item,
        body: '{"inventory_item_id":"not an id","location_id":1}',
      },
      { shop, shopifyTopic: 'inventory_items/delete', resourceId: item, body: '{"id":1}' },
      levelWebhook(shop, item, '3', 4, '2026-11-27T15:00:00Z'),
    ]);
    await waitFor(allInboxed([ids[2]]), 'the valid level behind the others applied');
    // Counted once the chunk's handler resolved, just after its transaction committed.
    await waitFor(
      async () =>
        (await metricValue(
          inventory.registry,
          'shopwire_consumer_messages_rejected_total',
          labels,
        )) ===
          rejectedBefore + 1 &&
        (await metricValue(inventory.registry, 'shopwire_consumer_messages_ignored_total', {
          ...labels,
          reason: 'inventory_items',
        })) ===
          ignoredBefore + 1,
      'one level rejected and one item deletion ignored',
    );
    expect(await inboxed(ids.slice(0, 2))).toBe(0);
    const { rows } = await db.query(
      'SELECT location_id, available FROM inventory.levels WHERE shop_domain = $1',
      [shop],
    );
    expect(rows).toEqual([{ location_id: '3', available: 4 }]);
  });
});

describe('committed quantities', () => {
  it('give the same commitment for accepted and cancelled in any order, each delivered ×3', async () => {
    const shop = uniqueShop();
    const order = (n: number) => String(820982911946154508n + BigInt(n));
    const lines = (n: number) => [
      { sku: 'SKU-A', quantity: (n % 3) + 1 },
      { sku: 'SKU-B', quantity: 2 },
      { sku: null, quantity: 4 }, // no SKU: never joins a level
    ];
    const spec = (kind: 'accepted' | 'cancelled', n: number): OrderEventSpec => ({
      kind,
      shop,
      orderId: order(n),
      lines: lines(n),
      eventId: `${kind}-${shop}-${n}`,
    });
    const thrice = (s: OrderEventSpec) => [s, s, s];
    // Orders 0–3 accepted only; 4–7 cancelled before accepted; 8–11 accepted then cancelled;
    // 12–15 both at once, in whichever order the partitions deliver them.
    const range = (from: number) => [from, from + 1, from + 2, from + 3];
    const phase1 = [
      ...range(0).flatMap((n) => thrice(spec('accepted', n))),
      ...range(4).flatMap((n) => thrice(spec('cancelled', n))),
      ...range(8).flatMap((n) => thrice(spec('accepted', n))),
      ...range(12).flatMap((n) => [
        ...thrice(spec('cancelled', n)),
        ...thrice(spec('accepted', n)),
      ]),
    ];
    await waitFor(allInboxed(await produceOrderEvents(producer, phase1)), 'phase 1 applied');
    const phase2 = [
      ...range(4).flatMap((n) => thrice(spec('accepted', n))),
      ...range(8).flatMap((n) => thrice(spec('cancelled', n))),
      // Late redeliveries of everything of the first phase.
      ...phase1,
    ];
    await waitFor(allInboxed(await produceOrderEvents(producer, phase2)), 'phase 2 applied');

    // Computed independently: only orders 0–3 hold stock.
    const expected = { 'SKU-A': 0, 'SKU-B': 0 };
    for (const n of range(0)) {
      expected['SKU-A'] += (n % 3) + 1;
      expected['SKU-B'] += 2;
    }
    expect(await committed(shop)).toEqual(expected);
    const states = await db.query<{ n: string; accepted: boolean; cancelled: boolean }>(
      `SELECT count(*) AS n, accepted, cancelled FROM inventory.order_commitments
       WHERE shop_domain = $1 GROUP BY accepted, cancelled ORDER BY cancelled`,
      [shop],
    );
    expect(states.rows).toEqual([
      { n: '4', accepted: true, cancelled: false },
      { n: '12', accepted: true, cancelled: true },
    ]);
  });
});

describe('delivery journal', () => {
  it("journals an order event under the webhook that caused it, and an older publisher's too", async () => {
    const shop = uniqueShop();
    const webhookId = randomUUID();
    const [withHeaders, withoutHeaders] = await produceOrderEvents(producer, [
      {
        kind: 'accepted',
        shop,
        orderId: '820982911946154601',
        lines: [{ sku: 'SKU-J', quantity: 1 }],
        causationId: webhookId,
      },
      { kind: 'accepted', shop, orderId: '820982911946154602', lines: [] },
    ]);
    await waitFor(allInboxed([withHeaders, withoutHeaders]), 'both applied');
    const { rows } = await db.query(
      `SELECT event_id, consumer_group, kafka_topic, webhook_id, shop, topic, resource_id,
              outcome, attempts, accepted_at IS NOT NULL AS accepted
         FROM inventory.delivery_journal WHERE shop = $1 ORDER BY resource_id`,
      [shop],
    );
    const journaled = (eventId: string, resourceId: string, webhook: string | null) => ({
      event_id: eventId,
      consumer_group: 'inventory',
      kafka_topic: DomainTopic.OrderAccepted,
      webhook_id: webhook,
      shop,
      topic: 'orders.order.accepted',
      resource_id: resourceId,
      outcome: 'applied',
      attempts: 1,
      accepted: true,
    });
    expect(rows).toEqual([
      journaled(withHeaders, '820982911946154601', webhookId),
      journaled(withoutHeaders, '820982911946154602', null),
    ]);
  });
});

describe('low stock', () => {
  it('publishes inventory.level.low.v1 once per crossing below the threshold', async () => {
    const shop = uniqueShop();
    const item = '9007199254740995';
    const location = '655441491';
    const from = await topicPositions(kafka, DomainTopic.InventoryLevelLow);
    const setup = await produceWebhooks(producer, ShopifyKafkaTopic.Inventory, [
      itemWebhook(shop, item, 'LOW-1', '2026-11-27T09:00:00Z'),
      levelWebhook(shop, item, location, 10, '2026-11-27T09:00:00Z'),
    ]);
    await waitFor(allInboxed(setup), 'item and level applied');
    const accept = (orderId: string, quantity: number): OrderEventSpec => ({
      kind: 'accepted',
      shop,
      orderId,
      lines: [{ sku: 'LOW-1', quantity }],
      eventId: `accept-${shop}-${orderId}`,
    });
    // 10 − 6 = 4: crosses below 5 (event 1). Repeats, and a further fall to 3, stay silent.
    const first = [accept('1001', 6), accept('1001', 6), accept('1001', 6)];
    await waitFor(allInboxed(await produceOrderEvents(producer, first)), 'order accepted');
    const second = [accept('1002', 1), accept('1002', 1)];
    await waitFor(allInboxed(await produceOrderEvents(producer, second)), 'second order accepted');
    // Cancel 1001: 10 − 1 = 9, back above (re-armed). Then Shopify says 4 left: 4 − 1 = 3 (event 2),
    // then 2: still low, silent.
    const cancel = { ...accept('1001', 6), kind: 'cancelled' as const, eventId: `cancel-${shop}` };
    await waitFor(
      allInboxed(await produceOrderEvents(producer, [cancel, cancel])),
      'order cancelled',
    );
    const later = await produceWebhooks(producer, ShopifyKafkaTopic.Inventory, [
      levelWebhook(shop, item, location, 4, '2026-11-27T10:00:00Z'),
      levelWebhook(shop, item, location, 2, '2026-11-27T11:00:00Z'),
    ]);
    await waitFor(allInboxed(later), 'levels applied');
    await waitFor(
      async () =>
        (await db.query('SELECT 1 FROM inventory.outbox WHERE sent_at IS NULL')).rowCount === 0,
      'outbox relayed',
    );

    const messages = await collectMessages(kafka, DomainTopic.InventoryLevelLow, {
      from,
      filter: (m) => m.key?.toString().startsWith(`${shop}/`) ?? false,
      done: () => false, // read until the timeout: a third (duplicate) event must have time to show
      timeoutMs: 4000,
    });
    // Read with the contracts' decoder, as the notification service reads them.
    const events = messages.map((m) => {
      const decoded = decodeInventoryLevelLow(m.message.value);
      if (!decoded.ok) throw new Error(`not a low-stock event: ${decoded.detail}`);
      return decoded.value;
    });
    const level = { inventoryItemId: item, locationId: location, sku: 'LOW-1', threshold: 5 };
    expect(events.map((e) => e.data)).toEqual([
      { ...level, available: 10, committed: 6, sellable: 4 },
      { ...level, available: 4, committed: 1, sellable: 3 },
    ]);
    expect(events.every((e) => e.shopDomain === shop && e.type === 'inventory.level.low')).toBe(
      true,
    );
    expect(new Set(events.map((e) => e.eventId)).size).toBe(2);
    expect(messages.map((m) => m.message.key?.toString())).toEqual([
      `${shop}/${item}/${location}`,
      `${shop}/${item}/${location}`,
    ]);
  });

  it('counts orders taken before an item’s SKU was known once the SKU arrives', async () => {
    const shop = uniqueShop();
    const item = '9007199254740997';
    const from = await topicPositions(kafka, DomainTopic.InventoryLevelLow);
    const level = await produceWebhooks(producer, ShopifyKafkaTopic.Inventory, [
      levelWebhook(shop, item, '1', 6, '2026-11-27T09:00:00Z'),
    ]);
    await waitFor(allInboxed(level), 'level applied');
    const order = await produceOrderEvents(producer, [
      { kind: 'accepted', shop, orderId: '2001', lines: [{ sku: 'LATE-1', quantity: 3 }] },
    ]);
    await waitFor(allInboxed(order), 'order accepted');
    const before = await inventory.get(`/levels/by-item?shop=${shop}&inventory_item_id=${item}`);
    expect(before.json()).toEqual({
      levels: [expect.objectContaining({ sku: null, committed: 0, sellable: 6, low: false })],
    });
    const sku = await produceWebhooks(producer, ShopifyKafkaTopic.Inventory, [
      itemWebhook(shop, item, 'LATE-1', '2026-11-27T09:30:00Z'),
    ]);
    await waitFor(allInboxed(sku), 'item applied');
    const after = await inventory.get(`/levels/by-sku?shop=${shop}&sku=LATE-1`);
    expect(after.json()).toEqual({
      levels: [expect.objectContaining({ sku: 'LATE-1', committed: 3, sellable: 3, low: true })],
    });
    await waitFor(
      async () =>
        (await db.query('SELECT 1 FROM inventory.outbox WHERE sent_at IS NULL')).rowCount === 0,
      'outbox relayed',
    );
    const messages = await collectMessages(kafka, DomainTopic.InventoryLevelLow, {
      from,
      filter: (m) => m.key?.toString().startsWith(`${shop}/`) ?? false,
      done: () => false,
      timeoutMs: 3000,
    });
    expect(messages).toHaveLength(1);
  });
});
