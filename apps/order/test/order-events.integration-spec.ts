import { decodeOrderEvent, DomainTopic, type OrderAcceptedEvent } from '@shopwire/contracts';
import { ServiceOutboxRelay } from '@shopwire/service-runtime';
import { collectMessages, topicPositions, type CollectedMessage } from '@shopwire/testing';
import { randomUUID } from 'node:crypto';
import type { Kafka, Producer } from 'kafkajs';
import { Pool } from 'pg';
import {
  DATABASE_URL,
  metricValue,
  orderBody,
  prepareTopic,
  produceWebhooks,
  produceWebhooksAt,
  resetSchema,
  startApp,
  testKafka,
  uniqueShop,
  waitFor,
  type RunningApp,
} from './order-harness';

// Real Kafka and Postgres. Domain events are read back from the shared, pre-provisioned domain
// topics, starting at their end before each test and keeping only this test's shop.
// test-runs-alone: it counts every order event for its shop, and any other order service running
// at the same time (another suite's, in its own group) would consume the same webhooks and emit
// them again.
const groupId = `order-it-${randomUUID()}`;
const DOMAIN_TOPICS = [
  DomainTopic.OrderAccepted,
  DomainTopic.OrderUpdated,
  DomainTopic.OrderCancelled,
];
let kafka: Kafka;
let producer: Producer;
let db: Pool;
let order: RunningApp;

type Event = OrderAcceptedEvent & { topic: string };

async function positions(): Promise<Map<string, Map<number, string>>> {
  return new Map(
    await Promise.all(DOMAIN_TOPICS.map(async (t) => [t, await topicPositions(kafka, t)] as const)),
  );
}

/**
 * This shop's events on the three order topics, once each topic has its `expected` count (plus
 * a grace period, so an extra copy would show); a topic expecting none is watched for 2 s.
 */
async function eventsOf(
  shop: string,
  from: Map<string, Map<number, string>>,
  expected: Partial<Record<(typeof DOMAIN_TOPICS)[number], number>>,
): Promise<Event[]> {
  const all: Event[] = [];
  await Promise.all(
    DOMAIN_TOPICS.map(async (topic) => {
      const want = expected[topic] ?? 0;
      const messages: CollectedMessage[] = await collectMessages(kafka, topic, {
        from: from.get(topic),
        filter: (m) => m.key?.toString().startsWith(`${shop}/`) ?? false,
        done: (collected) => want > 0 && collected.length >= want,
        timeoutMs: want > 0 ? 20_000 : 2000,
      });
      // Read with the contracts' decoder, as every consumer of these topics reads them.
      for (const m of messages) {
        const decoded = decodeOrderEvent(topic, m.message.value);
        if (!decoded.ok) throw new Error(`not an order event: ${decoded.detail}`);
        all.push({ ...(decoded.value as OrderAcceptedEvent), topic });
      }
    }),
  );
  return all;
}

const outboxRows = async (shop: string) =>
  Number(
    (
      await db.query<{ n: string }>(`SELECT count(*) AS n FROM orders.outbox WHERE key LIKE $1`, [
        `${shop}/%`,
      ])
    ).rows[0].n,
  );

beforeAll(async () => {
  await resetSchema();
  db = new Pool({ connectionString: DATABASE_URL, max: 2 });
  kafka = testKafka();
  await prepareTopic(kafka, groupId);
  producer = kafka.producer({ idempotent: true, allowAutoTopicCreation: false });
  await producer.connect();
  order = await startApp(groupId);
  await waitFor(() => order.app.get(ServiceOutboxRelay).status?.leader === true, 'relay leads');
});

afterAll(async () => {
  await order?.close();
  await producer?.disconnect();
  await db?.end();
});

describe('order domain events through the outbox', () => {
  it('emits accepted, updated and cancelled once per applied change, nothing for duplicates or stale updates', async () => {
    const shop = uniqueShop();
    const orderId = '820982911946154508';
    const from = await positions();
    const customer = {
      id: '207119551',
      email: 'jon@example.com',
      firstName: 'Jon',
      lastName: 'Snow',
      phone: '+15551234567',
    };
    const hook = (
      topic: string,
      updatedAt: string,
      extra: Partial<Parameters<typeof orderBody>[0]> = {},
    ) => ({
      shop,
      orderId,
      topic,
      webhookId: randomUUID(),
      body: orderBody({
        id: orderId,
        updatedAt,
        customer,
        lineItemIds: ['866550311766439020'],
        ...extra,
      }),
    });
    const create = hook('orders/create', '2026-10-01T12:00:00-04:00');
    const paid = hook('orders/paid', '2026-10-01T12:05:00-04:00', { financialStatus: 'paid' });
    const sameState = hook('orders/updated', '2026-10-01T12:05:00-04:00', {
      financialStatus: 'paid',
    });
    const stale = hook('orders/updated', '2026-10-01T11:00:00-04:00');
    const cancelled = hook('orders/cancelled', '2026-10-02T09:00:00Z', {
      financialStatus: 'refunded',
      cancelledAt: '2026-10-02T09:00:00Z',
    });
    const afterCancel = hook('orders/updated', '2026-10-02T10:00:00Z', {
      financialStatus: 'refunded',
      cancelledAt: '2026-10-02T09:00:00Z',
      fulfillmentStatus: 'restocked',
    });
    // One key: one partition, in this order. create and paid are each delivered twice.
    await produceWebhooks(producer, [
      create,
      create,
      paid,
      sameState,
      paid,
      stale,
      cancelled,
      afterCancel,
    ]);
    await waitFor(async () => (await outboxRows(shop)) >= 4, 'events written');

    const events = await eventsOf(shop, from, {
      [DomainTopic.OrderAccepted]: 1,
      [DomainTopic.OrderUpdated]: 2,
      [DomainTopic.OrderCancelled]: 1,
    });
    const byTopic = (topic: string) =>
      events.filter((e) => e.topic === topic).map((e) => [e.aggregateVersion, e.causationId]);
    expect(byTopic(DomainTopic.OrderAccepted)).toEqual([
      ['2026-10-01T16:00:00.000Z', create.webhookId],
    ]);
    expect(byTopic(DomainTopic.OrderUpdated)).toEqual([
      ['2026-10-01T16:05:00.000Z', paid.webhookId],
      ['2026-10-02T10:00:00.000Z', afterCancel.webhookId],
    ]);
    expect(byTopic(DomainTopic.OrderCancelled)).toEqual([
      ['2026-10-02T09:00:00.000Z', cancelled.webhookId],
    ]);
    expect(new Set(events.map((e) => e.eventId)).size).toBe(4);

    const accepted = events.find((e) => e.topic === DomainTopic.OrderAccepted)!;
    expect(accepted).toMatchObject({
      type: 'orders.order.accepted',
      schemaVersion: 1,
      shopDomain: shop,
      aggregateId: orderId,
      data: {
        order: {
          id: orderId,
          financialStatus: 'pending',
          customer: {
            id: '207119551',
            email: 'jon@example.com',
            firstName: 'Jon',
            lastName: 'Snow',
            phone: '+15551234567',
          },
          lineItems: [
            {
              id: '866550311766439020',
              variantId: '866550311766439021',
              quantity: 1,
              price: '99.50',
            },
          ],
        },
      },
    });
    const cancelledEvent = events.find((e) => e.topic === DomainTopic.OrderCancelled)!;
    expect(cancelledEvent.data.order).toMatchObject({
      cancelledAt: '2026-10-02T09:00:00.000Z',
      cancelReason: 'customer',
    });
    // Everything published was marked sent, and nothing else is waiting.
    const unsent = await db.query(
      `SELECT count(*) AS n FROM orders.outbox WHERE key LIKE $1 AND sent_at IS NULL`,
      [`${shop}/%`],
    );
    expect(unsent.rows[0].n).toBe('0');
    expect(await outboxRows(shop)).toBe(4);
  });

  it('emits accepted and cancelled when the first state Shopify delivers is already cancelled', async () => {
    const shop = uniqueShop();
    const orderId = '9007199254740993';
    const from = await positions();
    await produceWebhooks(producer, [
      {
        shop,
        orderId,
        topic: 'orders/cancelled',
        body: orderBody({
          id: orderId,
          updatedAt: '2026-10-03T00:00:00Z',
          cancelledAt: '2026-10-03T00:00:00Z',
        }),
      },
      // The create arrives late: stale, so nothing.
      {
        shop,
        orderId,
        topic: 'orders/create',
        body: orderBody({ id: orderId, updatedAt: '2026-10-02T00:00:00Z' }),
      },
    ]);
    await waitFor(async () => (await outboxRows(shop)) >= 2, 'events written');
    const events = await eventsOf(shop, from, {
      [DomainTopic.OrderAccepted]: 1,
      [DomainTopic.OrderCancelled]: 1,
    });
    expect(events.map((e) => [e.topic, e.aggregateId, e.aggregateVersion]).sort()).toEqual([
      [DomainTopic.OrderAccepted, orderId, '2026-10-03T00:00:00.000Z'],
      [DomainTopic.OrderCancelled, orderId, '2026-10-03T00:00:00.000Z'],
    ]);
  });

  it('emits nothing for a chunk that rolls back, and exactly once when it is retried', async () => {
    const shop = uniqueShop();
    const good = '7100000000000000001';
    const poisoned = '7100000000000000002';
    const from = await positions();
    const retriesBefore = await metricValue(
      order.registry,
      'shopwire_consumer_retries_in_place_total',
    );
    // Fails the chunk after the first order's upsert and outbox row were written: an outage-like
    // error (not a data error), so the whole chunk's transaction rolls back and is retried.
    await db.query(`
      CREATE FUNCTION orders.test_fail() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'simulated outage' USING ERRCODE = '55000'; END $$`);
    await db.query(`
      CREATE TRIGGER test_fail BEFORE INSERT ON orders.orders FOR EACH ROW
      WHEN (NEW.id = ${poisoned}) EXECUTE FUNCTION orders.test_fail()`);
    try {
      // One request to one partition: one record batch, so one fetch and one chunk.
      await produceWebhooksAt(
        producer,
        [good, poisoned].map((id) => ({
          shop,
          orderId: id,
          partition: 0,
          topic: 'orders/create',
          body: orderBody({ id, updatedAt: '2026-10-04T00:00:00Z' }),
        })),
      );
      await waitFor(
        async () =>
          (await metricValue(order.registry, 'shopwire_consumer_retries_in_place_total')) >=
          retriesBefore + 2,
        'the chunk failed and was retried',
      );
      // While the order keeps failing, nothing of it is written or emitted. Its chunk partner
      // is not in the assertion: after its in-place attempts the runner re-runs a failing chunk
      // message by message, so the good order may already have committed — once.
      const rowsOf = async (table: 'outbox' | 'orders', id: string) =>
        Number(
          (
            await db.query<{ n: string }>(
              table === 'outbox'
                ? 'SELECT count(*) AS n FROM orders.outbox WHERE key = $1'
                : 'SELECT count(*) AS n FROM orders.orders WHERE shop_domain = $2 AND id = $1::bigint',
              table === 'outbox' ? [`${shop}/${id}`] : [id, shop],
            )
          ).rows[0].n,
        );
      expect(await rowsOf('outbox', poisoned)).toBe(0);
      expect(await rowsOf('orders', poisoned)).toBe(0);
      expect(await rowsOf('outbox', good)).toBeLessThanOrEqual(1);
    } finally {
      await db.query('DROP TRIGGER test_fail ON orders.orders');
      await db.query('DROP FUNCTION orders.test_fail()');
    }
    await waitFor(async () => (await outboxRows(shop)) === 2, 'applied after recovery');
    const events = await eventsOf(shop, from, { [DomainTopic.OrderAccepted]: 2 });
    expect(
      events
        .filter((e) => e.topic === DomainTopic.OrderAccepted)
        .map((e) => e.aggregateId)
        .sort(),
    ).toEqual([good, poisoned]);
    expect(events).toHaveLength(2);
  });

  it('reports the relay in readiness and metrics', async () => {
    const ready = await order.inject('/health/ready', null);
    expect(ready.statusCode).toBe(200);
    expect(ready.body).toContain('outbox-relay');
    const metrics = await order.inject('/metrics', null);
    for (const name of [
      'shopwire_outbox_published_total',
      'shopwire_outbox_pending',
      'shopwire_outbox_leader',
      'shopwire_order_domain_events_total',
    ]) {
      expect(metrics.body).toContain(name);
    }
  });
});
