import { deadLetterTopicOf, EnvelopeHeader, ShopifyKafkaTopic } from '@shopwire/contracts';
import { FailureHeader } from '@shopwire/kafka';
import { collectMessages, headerValue, topicPositions } from '@shopwire/testing';
import { randomUUID } from 'node:crypto';
import type { Kafka, Producer } from 'kafkajs';
import { Pool } from 'pg';
import {
  committedOffsets,
  DATABASE_URL,
  deliveries,
  metricValue,
  partitionCount,
  produceWebhooksAt,
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

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

/** The unified consumer series, counted for the orders topic (not compliance). */
const ORDERS_TOPIC = { group: 'order', topic: ShopifyKafkaTopic.Orders };

// Real Kafka (127.0.0.1:9092) and Postgres; start them with `npm run infra -- up`.
const groupId = `order-it-${randomUUID()}`;
let kafka: Kafka;
let producer: Producer;
let db: Pool;
let order: RunningApp;

const count = async (sql: string, params: unknown[]): Promise<number> =>
  Number((await db.query<{ n: string }>(sql, params)).rows[0].n);

const inboxed = (webhookIds: string[]) =>
  count('SELECT count(*) AS n FROM orders.inbox WHERE event_id = ANY($1)', [webhookIds]);

beforeAll(async () => {
  await resetSchema();
  db = new Pool({ connectionString: DATABASE_URL, max: 2 });
  kafka = testKafka();
  await prepareTopic(kafka, groupId);
  producer = kafka.producer({ idempotent: true, allowAutoTopicCreation: false });
  await producer.connect();
  order = await startApp(groupId);
});

afterAll(async () => {
  await order?.close();
  await producer?.disconnect();
  await db?.end();
});

describe('order consumer', () => {
  it('stores an order with its exact id beyond 2^53, exact money and line items', async () => {
    const shop = uniqueShop();
    const body = orderBody({
      id: '820982911946154508',
      updatedAt: '2026-10-01T12:05:00-04:00',
      totalPrice: '199.65',
      lineItemIds: ['866550311766439020', '866550311766439021'],
    });
    const [webhookId] = await produceWebhooks(producer, [
      { shop, body, orderId: '820982911946154508', topic: 'orders/create' },
    ]);
    await waitFor(async () => (await inboxed([webhookId])) === 1, 'order applied');

    const { rows } = await db.query(
      `SELECT id, total_price, subtotal_price, order_number, last_webhook_id, updated_at
       FROM orders.orders WHERE shop_domain = $1`,
      [shop],
    );
    expect(rows).toEqual([
      {
        id: '820982911946154508',
        total_price: '199.65',
        subtotal_price: '199.00',
        order_number: '1001',
        last_webhook_id: webhookId,
        updated_at: new Date('2026-10-01T16:05:00Z'),
      },
    ]);
    const lines = await db.query(
      'SELECT id, variant_id, quantity, price FROM orders.order_line_items WHERE shop_domain = $1 ORDER BY position',
      [shop],
    );
    expect(lines.rows).toEqual([
      { id: '866550311766439020', variant_id: '866550311766439021', quantity: 1, price: '99.50' },
      { id: '866550311766439021', variant_id: '866550311766439022', quantity: 2, price: '99.50' },
    ]);
  });

  it('applies duplicates once and lets an older update arriving last lose', async () => {
    const shop = uniqueShop();
    const orderId = '9007199254740993'; // 2^53 + 1: a JS number would turn it into ...992
    const staleBefore = await metricValue(order.registry, 'shopwire_order_stale_updates_total');
    const duplicatesBefore = await metricValue(
      order.registry,
      'shopwire_order_duplicate_events_total',
    );
    const newer = {
      shop,
      orderId,
      topic: 'orders/paid',
      webhookId: randomUUID(),
      body: orderBody({
        id: orderId,
        updatedAt: '2026-10-02T10:00:00Z',
        financialStatus: 'paid',
        totalPrice: '250.10',
        lineItemIds: ['9007199254740995'],
      }),
    };
    const older = {
      shop,
      orderId,
      topic: 'orders/create',
      webhookId: randomUUID(),
      body: orderBody({
        id: orderId,
        updatedAt: '2026-10-02T09:00:00Z',
        financialStatus: 'pending',
        lineItemIds: ['1', '2'],
      }),
    };
    // Same key, so one partition, in this order: the newest three times, then the oldest.
    await produceWebhooks(producer, [newer, newer, newer, older]);
    await waitFor(async () => (await inboxed([older.webhookId])) === 1, 'all four handled');

    const { rows } = await db.query(
      `SELECT id, financial_status, total_price, last_webhook_id, stale_updates_skipped
       FROM orders.orders WHERE shop_domain = $1`,
      [shop],
    );
    expect(rows).toEqual([
      {
        id: orderId,
        financial_status: 'paid',
        total_price: '250.10',
        last_webhook_id: newer.webhookId,
        stale_updates_skipped: 1,
      },
    ]);
    const lines = await db.query('SELECT id FROM orders.order_line_items WHERE shop_domain = $1', [
      shop,
    ]);
    expect(lines.rows).toEqual([{ id: '9007199254740995' }]);
    const inbox = await db.query<{ event_id: string; n: string }>(
      'SELECT event_id, count(*) AS n FROM orders.inbox WHERE event_id = ANY($1) GROUP BY event_id ORDER BY event_id',
      [[newer.webhookId, older.webhookId]],
    );
    expect(inbox.rows).toEqual(
      [newer.webhookId, older.webhookId].sort().map((event_id) => ({ event_id, n: '1' })),
    );
    expect(await metricValue(order.registry, 'shopwire_order_stale_updates_total')).toBe(
      staleBefore + 1,
    );
    expect(await metricValue(order.registry, 'shopwire_order_duplicate_events_total')).toBe(
      duplicatesBefore + 2,
    );
    // The journal: the newest applied and seen twice more, the older one stale, newest first.
    const journal = await deliveries(order, `shop=${shop}&resourceId=${orderId}`);
    expect(journal.items.map((d) => [d.webhookId, d.outcome, d.duplicateCount])).toEqual([
      [older.webhookId, 'stale', 0],
      [newer.webhookId, 'applied', 2],
    ]);
    const [stale, applied] = journal.items;
    expect(applied).toMatchObject({
      service: 'order',
      consumer: 'order',
      eventId: newer.webhookId,
      shop,
      topic: 'orders/paid',
      resourceId: orderId,
      attempts: 1,
      error: null,
      kafka: { topic: ShopifyKafkaTopic.Orders },
    });
    expect(stale.topic).toBe('orders/create');
    expect(applied.kafka.offset).toMatch(/^\d+$/);
    expect(Date.parse(applied.acceptedAt!)).toBeLessThanOrEqual(Date.parse(applied.processedAt));
    expect(applied.lastDuplicateAt).not.toBeNull();
    expect(journal.nextCursor).toBeNull();
    // Filters: by webhook, and by outcome.
    expect(
      (await deliveries(order, `webhookId=${older.webhookId}`)).items.map((d) => d.outcome),
    ).toEqual(['stale']);
    expect(
      (await deliveries(order, `shop=${shop}&outcome=duplicate`)).items.map((d) => d.webhookId),
    ).toEqual([newer.webhookId]);
  });

  it('dead-letters messages that are not valid orders, with the reason, without blocking the partition', async () => {
    const shop = uniqueShop();
    const orderId = '5000000000000000001';
    const dlq = deadLetterTopicOf(ShopifyKafkaTopic.Orders);
    const dlqStart = await topicPositions(kafka, dlq);
    const bad = [
      '{"id": 5000000000000000001, "updated_at": ',
      '{"updated_at": "2026-10-01T00:00:00Z"}',
    ];
    const rejectedBefore = await metricValue(
      order.registry,
      'shopwire_consumer_messages_rejected_total',
      ORDERS_TOPIC,
    );
    const ignoredBefore = await metricValue(
      order.registry,
      'shopwire_consumer_messages_ignored_total',
      ORDERS_TOPIC,
    );
    const ids = await produceWebhooks(producer, [
      { shop, orderId, body: bad[0]!, topic: 'orders/updated' },
      { shop, orderId, body: bad[1]!, topic: 'orders/updated' },
      {
        shop,
        orderId,
        body: '{"id": 1, "order_id": 5000000000000000001}',
        topic: 'refunds/create',
      },
      {
        shop,
        orderId,
        body: orderBody({ id: orderId, updatedAt: '2026-10-03T00:00:00Z' }),
        topic: 'orders/updated',
      },
    ]);
    await waitFor(
      async () => (await inboxed([ids[3]])) === 1,
      'the valid order behind the bad ones',
    );
    expect(
      await metricValue(order.registry, 'shopwire_consumer_messages_rejected_total', ORDERS_TOPIC),
    ).toBe(rejectedBefore + 2);
    expect(
      await metricValue(order.registry, 'shopwire_consumer_messages_ignored_total', ORDERS_TOPIC),
    ).toBe(ignoredBefore + 1);
    expect(
      await count('SELECT count(*) AS n FROM orders.orders WHERE shop_domain = $1', [shop]),
    ).toBe(1);
    // the two malformed ones wait in the DLQ, byte for byte, with why; the refund was not for us
    const dead = await collectMessages(kafka, dlq, {
      from: dlqStart,
      // (other suites' order consumers, in groups of their own, read the shared topic too)
      filter: (m) =>
        headerValue(m, FailureHeader.ConsumerGroup) === groupId &&
        ids.includes(headerValue(m, EnvelopeHeader.WebhookId) ?? ''),
      done: (found) => found.length >= 2,
    });
    const byId = new Map(dead.map((d) => [headerValue(d.message, EnvelopeHeader.WebhookId), d]));
    expect(dead).toHaveLength(2);
    expect(String(byId.get(ids[0])!.message.value)).toBe(bad[0]);
    expect(String(byId.get(ids[1])!.message.value)).toBe(bad[1]);
    expect(headerValue(byId.get(ids[0])!.message, FailureHeader.DeadLetterReason)).toBe(
      'malformed:json',
    );
    expect(headerValue(byId.get(ids[1])!.message, FailureHeader.DeadLetterReason)).toBe(
      'malformed:payload',
    );
    expect(headerValue(byId.get(ids[1])!.message, FailureHeader.Attempts)).toBe('1');
    // The journal: both dead-lettered with the error's class (never its text), the valid order
    // applied; the refund, not for this consumer, is not a delivery of it.
    const journal = await deliveries(order, `shop=${shop}`);
    const outcome = new Map(journal.items.map((d) => [d.webhookId, [d.outcome, d.error]]));
    expect(outcome.get(ids[0])).toEqual(['dead-lettered', 'malformed:json']);
    expect(outcome.get(ids[1])).toEqual(['dead-lettered', 'malformed:payload']);
    expect(outcome.get(ids[3])).toEqual(['applied', null]);
    expect(outcome.has(ids[2])).toBe(false);
    expect(
      (await deliveries(order, `shop=${shop}&outcome=dead-lettered`)).items.map((d) => d.attempts),
    ).toEqual([1, 1]);
  });

  it('retries a failing chunk, parks it on the retry topic, and applies it once after the fix', async () => {
    const shop = uniqueShop();
    const orderId = '7000000000000000001';
    const retriesBefore = await metricValue(
      order.registry,
      'shopwire_consumer_retries_in_place_total',
    );
    await db.query('ALTER TABLE orders.inbox RENAME TO inbox_unavailable');
    let sent: { webhookId: string; partition: number; offset: bigint };
    try {
      // Pinned to a partition so the check below is about this message alone, whatever else is
      // written to the shared topic meanwhile.
      [sent] = await produceWebhooksAt(producer, [
        {
          shop,
          orderId,
          partition: 0,
          body: orderBody({ id: orderId, updatedAt: '2026-10-04T00:00:00Z' }),
          traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01`,
        },
      ]);
      await waitFor(
        async () =>
          (await metricValue(order.registry, 'shopwire_consumer_retries_in_place_total')) >=
          retriesBefore + 2,
        'the failing chunk retried',
      );
      // Parked on the retry topic: the journal says so, with the error's class.
      await waitFor(
        async () =>
          (await deliveries(order, `webhookId=${sent.webhookId}`)).items[0]?.outcome === 'retrying',
        'journaled as retrying',
      );
      // A missing table is not an outage (docs/adr/0002): after the bounded in-place retries the
      // message leaves the partition for the retry topic instead of blocking it.
    } finally {
      await db.query('ALTER TABLE orders.inbox_unavailable RENAME TO inbox');
    }
    await waitFor(async () => (await inboxed([sent.webhookId])) === 1, 'applied after recovery');
    await waitFor(async () => (await committedOffset(0)) > sent.offset, 'offset committed');
    expect(
      await count('SELECT count(*) AS n FROM orders.orders WHERE shop_domain = $1', [shop]),
    ).toBe(1);
    // The redelivery from the retry topic was applied, not taken for a duplicate, on the same
    // row: the source's coordinates, a later round, no error left.
    const journal = await deliveries(order, `webhookId=${sent.webhookId}`);
    expect(journal.items).toHaveLength(1);
    expect(journal.items[0]).toMatchObject({
      outcome: 'applied',
      error: null,
      duplicateCount: 0,
      traceId: TRACE_ID,
      kafka: { topic: ShopifyKafkaTopic.Orders, partition: 0, offset: String(sent.offset) },
    });
    expect(journal.items[0].attempts).toBeGreaterThanOrEqual(2);
  });
});

async function committedOffset(partition: number): Promise<bigint> {
  return (await committedOffsets(kafka, groupId)).get(partition) ?? -1n;
}

// Runs last: it replaces the shared app with new instances of the same consumer group.
describe('graceful stop and restart mid-stream', () => {
  it('commits only what the database holds, and finishes every message exactly once', async () => {
    const shop = uniqueShop();
    const total = 3000;
    const partitions = await partitionCount(kafka);
    await order.close(); // the backlog builds up while nobody consumes
    const webhooks = Array.from({ length: total }, (_, i) => {
      const id = (100000000000000000n + BigInt(i)).toString();
      return {
        shop,
        orderId: id,
        partition: i % partitions,
        body: orderBody({
          id,
          updatedAt: '2026-10-06T00:00:00Z',
          lineItemIds: [(200000000000000000n + BigInt(i)).toString()],
        }),
      };
    });
    const produced = await produceWebhooksAt(producer, webhooks);
    const inboxForShop = async () =>
      new Set(
        (
          await db.query<{ event_id: string }>(
            'SELECT event_id FROM orders.inbox WHERE event_id = ANY($1)',
            [produced.map((p) => p.webhookId)],
          )
        ).rows.map((r) => r.event_id),
      );

    // Small chunks: many commits, so the stop lands between them.
    const first = await startApp(groupId, {
      ORDER_MAX_CHUNK: '10',
      ORDER_PARTITIONS_CONCURRENTLY: '2',
    });
    order = first;
    await waitFor(async () => (await inboxForShop()).size >= 200, 'part of the backlog applied');
    await first.close();

    const applied = await inboxForShop();
    expect(applied.size).toBeLessThan(total); // really stopped mid-stream
    const committed = await committedOffsets(kafka, groupId);
    const belowCommit = new Set(
      produced
        .filter((p) => p.offset < (committed.get(p.partition) ?? -1n))
        .map((p) => p.webhookId),
    );
    // Nothing committed that is not in the database, and nothing applied left uncommitted.
    expect([...belowCommit].filter((id) => !applied.has(id))).toEqual([]);
    expect([...applied].filter((id) => !belowCommit.has(id))).toEqual([]);

    const second = await startApp(groupId);
    order = second;
    await waitFor(async () => (await inboxForShop()).size === total, 'the rest applied', 90_000);
    expect(
      await count('SELECT count(*) AS n FROM orders.orders WHERE shop_domain = $1', [shop]),
    ).toBe(total);
    expect(
      await count('SELECT count(*) AS n FROM orders.order_line_items WHERE shop_domain = $1', [
        shop,
      ]),
    ).toBe(total);
    // The graceful stop committed everything applied: the second instance re-applied nothing.
    expect(await metricValue(second.registry, 'shopwire_order_duplicate_events_total')).toBe(0);
  });
});
