import {
  ALL_SHOPIFY_KAFKA_TOPICS,
  deadLetterTopicOf,
  DomainTopic,
  EnvelopeHeader,
  envelopeHeaders,
  ShopifyKafkaTopic,
  topicRetention,
} from '@shopwire/contracts';
import { encodeFailureHeaders } from '@shopwire/kafka';
import { headerValue, testKafka, waitFor } from '@shopwire/testing';
import { Redis } from 'ioredis';
import { ConfigResourceTypes, type Kafka, type Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import {
  positionsNow,
  searchDatabase,
  searchKafkaSince,
  searchRedis,
  type TopicPositions,
} from './erasure-search';
import {
  acceptedEventJson,
  deliver as deliverWebhook,
  digits,
  needles,
  orderJson,
  people,
  type Person,
} from './erasure-fixtures';
import { Pipeline, PIPELINE_SECRET, PIPELINE_TOKEN } from './pipeline-harness';

/**
 * Erasure that holds, across every service as its own process. A customer's orders go through
 * the gateway to order, then notification (emails sent), sync (mirrored to the ERP) and analytics;
 * Shopify asks for their data (exports are made), then for their erasure. Afterwards the
 * customer's email, names and phone are nowhere: not in any column of any table, not in any
 * service's API, not in Redis, not in any Kafka message written since the redact. Then their old
 * order comes back — dead letters of it replayed through each service's DLQ API, the old webhook
 * re-sent — and nothing comes back with it, and no email is sent.
 *
 * Every search is checked against a second customer of the same shop who is not redacted: the
 * same search must find them, so a search that cannot find anything fails the test.
 */
// test-runs-alone: it searches every message written to the shared topics since the redact, and
// another suite's order service (in its own group and database, without this suite's tombstone)
// reads the same re-sent webhooks and writes the customer's data to the domain topics again.
const RUN = randomUUID().slice(0, 8);
const SHOP = `erasure-${RUN}.myshopify.com`;
const SKU = `ERASE-${RUN}`;
const { person, keeper } = people(RUN);
const BASE = 820982911946154508n + BigInt(digits(9)) * 1000n;
const ORDER_A = BASE; // the person's, confirmed then cancelled
const ORDER_B = BASE + 1n; // the person's
const ORDER_C = BASE + 2n; // the keeper's
const ORDER_D = BASE + 3n; // the person's, only ever in dead letters (never applied before the redact)
const order = (id: bigint, p: Person, updatedAt: string, extra = '') =>
  orderJson(id, p, updatedAt, SKU, extra);
const deliver = (pipeline: Pipeline, topic: string, body: string, webhookId?: string) =>
  deliverWebhook(pipeline.gatewayWebhookUrl, SHOP, topic, body, PIPELINE_SECRET, webhookId);

const auth = { authorization: `Bearer ${PIPELINE_TOKEN}` };

async function getText(url: string): Promise<{ status: number; text: string }> {
  const response = await fetch(url, { headers: auth });
  return { status: response.status, text: await response.text() };
}

describe('erasure that holds across the pipeline (separate processes)', () => {
  let pipeline: Pipeline;
  let kafka: Kafka;
  let producer: Producer;
  let redis: Redis;
  let exportId = '';
  const deadLetters: { service: string; id: string }[] = [];

  /** Every GET of every service that can show a customer, for this shop. */
  const apiUrls = () => {
    const q = `shop=${SHOP}`;
    const order = pipeline.url('order');
    const notification = pipeline.url('notification');
    const sync = pipeline.url('sync');
    const analytics = pipeline.url('analytics');
    const inventory = pipeline.url('inventory');
    const orders = [ORDER_A, ORDER_B, ORDER_C, ORDER_D];
    return [
      `${order}/orders?${q}&limit=250`,
      ...orders.map((id) => `${order}/orders/${id}?${q}`),
      `${order}/privacy/exports?${q}`,
      `${order}/privacy/exports/${exportId}`,
      `${order}/privacy/requests?${q}`,
      `${order}/shops/${SHOP}`,
      `${notification}/notifications?${q}&limit=250`,
      ...orders.map((id) => `${notification}/notifications/orders/${id}?${q}`),
      `${notification}/notifications/privacy-requests?${q}`,
      `${sync}/sync/orders?${q}`,
      ...orders.map((id) => `${sync}/sync/orders/${id}?${q}`),
      `${sync}/sync/privacy-requests?${q}`,
      `${analytics}/sales/daily?${q}&from=2026-11-01&to=2026-11-30`,
      `${analytics}/products/top?${q}&from=2026-11-01&to=2026-11-30`,
      `${inventory}/levels/by-sku?${q}&sku=ERASE-${RUN}`,
      // Dead letters as listed (metadata): their raw payloads stay in the DLQ topic until its
      // retention (docs/security.md), behind the ops scope.
      ...['order', 'notification', 'sync'].map((s) => `${pipeline.url(s)}/dead-letters?${q}`),
    ];
  };

  const searchApis = async (words: readonly string[]): Promise<string[]> => {
    const found: string[] = [];
    for (const url of apiUrls()) {
      const { status, text } = await getText(url);
      if (status >= 500) throw new Error(`${url} answered ${status}`);
      if (words.some((w) => text.toLowerCase().includes(w.toLowerCase()))) found.push(url);
    }
    return found;
  };

  /** Where the words are outside Kafka: tables, APIs, Redis. */
  const everywhere = async (words: readonly string[]) => ({
    database: await searchDatabase(pipeline.db, words),
    apis: await searchApis(words),
    redis: await searchRedis(redis, words),
  });

  const count = async (sql: string, params: unknown[] = [SHOP]) => {
    try {
      return Number((await pipeline.db.query<{ n: string }>(sql, params)).rows[0].n);
    } catch (error) {
      // A Postgres restart by a neighbouring suite drops this connection; the next poll retries.
      await pipeline.reconnectDatabase();
      throw error;
    }
  };

  const mailsTo = async (address: string) =>
    (
      (await (
        await fetch(
          `${pipeline.url('shopify-sim')}/sim/smtp/messages?to=${encodeURIComponent(address)}`,
          { headers: auth },
        )
      ).json()) as { count: number }
    ).count;

  /** A dead letter as the consumer runner writes it: original bytes, failure headers. */
  async function deadLetter(
    service: string,
    sourceTopic: string,
    key: string,
    value: string,
    headers: Record<string, string>,
  ): Promise<void> {
    const at = new Date().toISOString();
    const [sent] = await producer.send({
      topic: deadLetterTopicOf(sourceTopic),
      acks: -1,
      messages: [
        {
          key,
          value,
          headers: {
            ...headers,
            ...encodeFailureHeaders({
              sourceTopic,
              sourcePartition: 0,
              sourceOffset: '0',
              attempts: 3,
              firstFailureAt: at,
              lastFailureAt: at,
              errorType: 'Error',
              errorMessage: 'downstream unavailable',
              group: service,
              consumerGroup: pipeline.groupOf(service),
              deadLetteredAt: at,
            }),
          },
        },
      ],
    });
    deadLetters.push({
      service,
      id: `${deadLetterTopicOf(sourceTopic)}:${sent.partition}:${sent.baseOffset}`,
    });
  }

  beforeAll(async () => {
    pipeline = await Pipeline.start();
    kafka = testKafka('erasure-e2e');
    producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { lazyConnect: true });
    await redis.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    redis?.disconnect();
    await pipeline?.stop();
  });

  it('keeps personal data on Kafka for the documented time only', async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const topics = [
        ShopifyKafkaTopic.Orders,
        DomainTopic.OrderAccepted,
        deadLetterTopicOf(ShopifyKafkaTopic.Orders),
        'shopwire.notification.retry.v1',
      ];
      const described = await admin.describeConfigs({
        includeSynonyms: false,
        resources: topics.map((name) => ({
          type: ConfigResourceTypes.TOPIC,
          name,
          configNames: ['retention.ms', 'segment.ms'],
        })),
      });
      for (const resource of described.resources) {
        const expected = topicRetention(resource.resourceName);
        const value = (name: string) =>
          resource.configEntries.find((e) => e.configName === name)?.configValue;
        expect([resource.resourceName, value('retention.ms'), value('segment.ms')]).toEqual([
          resource.resourceName,
          String(expected.retentionMs),
          String(expected.segmentMs),
        ]);
      }
    } finally {
      await admin.disconnect();
    }
  });

  it('erases a customer everywhere, and a replay of their old order brings nothing back', async () => {
    // 1. Their orders through the pipeline: two of theirs (one cancelled), one of the keeper's.
    await deliver(pipeline, 'orders/create', order(ORDER_A, person, '2026-11-27T10:00:00Z'));
    await deliver(pipeline, 'orders/create', order(ORDER_B, person, '2026-11-27T10:00:00Z'));
    await deliver(pipeline, 'orders/create', order(ORDER_C, keeper, '2026-11-27T10:00:00Z'));
    await deliver(
      pipeline,
      'orders/cancelled',
      order(
        ORDER_A,
        person,
        '2026-11-27T10:05:00Z',
        ',"cancelled_at":"2026-11-27T10:05:00Z"',
      ).replace('"cancelled_at":null,"cancel_reason":null,', ''),
    );
    let progress: number[] = [];
    await waitFor(
      async () => {
        progress = [
          await count(`SELECT count(*) AS n FROM orders.orders WHERE shop_domain = $1`),
          await count(
            `SELECT count(*) AS n FROM notification.notifications WHERE shop_domain = $1 AND status = 'sent'`,
          ),
          await count(
            `SELECT count(*) AS n FROM sync.order_syncs WHERE shop_domain = $1 AND status = 'synced'`,
          ),
          await count(
            `SELECT count(*) AS n FROM analytics.order_contributions WHERE shop_domain = $1`,
          ),
        ];
        return progress.join() === '3,4,3,3';
      },
      {
        what: () => `orders, emails sent, ERP syncs, analytics = 3,4,3,3 (now ${progress.join()})`,
        timeoutMs: 120_000,
        intervalMs: 1000,
      },
    );
    expect(await mailsTo(person.email)).toBe(3); // two confirmations, one cancellation

    // 2. Shopify asks for their data: each service that holds some makes an export.
    await deliver(
      pipeline,
      'customers/data_request',
      `{"shop_id":954889,"shop_domain":"${SHOP}","customer":{"id":${person.id},"email":"${person.email}","phone":"${person.phone}"},` +
        `"orders_requested":[${ORDER_A},${ORDER_B}],"data_request":{"id":${digits(9)}}}`,
    );
    await waitFor(
      async () =>
        (await count(`SELECT count(*) AS n FROM orders.privacy_exports WHERE shop_domain = $1`)) ===
          1 &&
        (await count(
          `SELECT count(*) AS n FROM notification.privacy_requests WHERE shop_domain = $1 AND export IS NOT NULL`,
        )) === 1 &&
        (await count(
          `SELECT count(*) AS n FROM sync.privacy_requests WHERE shop_domain = $1 AND export IS NOT NULL`,
        )) === 1,
      { what: 'an export in order, notification and sync', timeoutMs: 60_000, intervalMs: 500 },
    );
    exportId = JSON.parse(
      (await getText(`${pipeline.url('order')}/privacy/exports?shop=${SHOP}`)).text,
    )[0].id;
    expect((await getText(`${pipeline.url('order')}/privacy/exports/${exportId}`)).text).toContain(
      person.email,
    );

    // 3. Dead letters of their order waiting for review when the redact comes: a change of
    // order B that order failed on, and an accepted event of order D that notification and sync
    // failed on (never applied, so a replay is news to their inboxes).
    const updateB = order(ORDER_B, person, '2026-11-27T11:00:00Z').replace(
      '"financial_status":"pending"',
      '"financial_status":"paid"',
    );
    const now = new Date().toISOString();
    await deadLetter('order', ShopifyKafkaTopic.Orders, `${SHOP}/${ORDER_B}`, updateB, {
      ...envelopeHeaders({
        webhookId: randomUUID(),
        shopifyTopic: 'orders/updated',
        shopDomain: SHOP,
        receivedAt: now,
        eventId: null,
        apiVersion: '2026-01',
        triggeredAt: null,
      }),
    });
    const acceptedD = acceptedEventJson(SHOP, ORDER_D, person, SKU);
    for (const service of ['notification', 'sync'])
      await deadLetter(service, DomainTopic.OrderAccepted, `${SHOP}/${ORDER_D}`, acceptedD, {});

    // The searches find a customer who is there (the keeper, and the person before the redact).
    const before = await everywhere(needles(person));
    expect(before.database).toEqual(
      expect.arrayContaining([
        'orders.orders.email',
        'orders.privacy_exports.export',
        'notification.notifications.recipient',
        'notification.privacy_requests.export',
        'sync.order_syncs.payload',
        'sync.privacy_requests.export',
      ]),
    );
    expect(before.apis.length).toBeGreaterThan(0);

    // 4. The redact. From here on, nothing written may name them.
    const sinceRedact: TopicPositions = await positionsNow(kafka);
    const mailsBefore = await mailsTo(person.email);
    const redactId = randomUUID();
    await deliver(
      pipeline,
      'customers/redact',
      `{"shop_id":954889,"shop_domain":"${SHOP}","customer":{"id":${person.id},"email":"${person.email}","phone":"${person.phone}"},` +
        `"orders_to_redact":[${ORDER_A},${ORDER_B}]}`,
      redactId,
    );
    let left = await everywhere(needles(person));
    await waitFor(
      async () => {
        left = await everywhere(needles(person));
        return left.database.length + left.apis.length + left.redis.length === 0;
      },
      { what: 'every service to erase the customer', timeoutMs: 90_000, intervalMs: 1000 },
    ).catch(() => undefined);
    expect(left).toEqual({ database: [], apis: [], redis: [] });
    await waitFor(
      async () =>
        (
          JSON.parse(
            (await getText(`${pipeline.url('shopify-sim')}/sim/erp/redactions?shop=${SHOP}`)).text,
          ) as unknown[]
        ).length === 1,
      { what: 'the ERP told', timeoutMs: 60_000, intervalMs: 500 },
    );
    // Shopify's redact request names the customer by design (guests are matched by email); it is
    // the one message since that may, and it ages out with its topic.
    const afterRedact = await searchKafkaSince(kafka, sinceRedact, needles(person), {
      ignore: (message) => headerValue(message, EnvelopeHeader.WebhookId) === redactId,
    });
    expect(afterRedact.read).toBeGreaterThan(0); // the redact itself, at least
    expect(afterRedact.found).toEqual([]);
    // The same searches still find the keeper: they can fail.
    const kept = await everywhere(needles(keeper));
    expect(kept.database).toEqual(
      expect.arrayContaining([
        'orders.orders.email',
        'notification.notifications.recipient',
        'sync.order_syncs.payload',
      ]),
    );
    expect(kept.apis).toContain(`${pipeline.url('order')}/orders/${ORDER_C}?shop=${SHOP}`);

    // 5. Their old order comes back: each dead letter replayed through its service's API, and
    // the old webhooks re-sent to the gateway (new delivery ids, as a re-subscription or a
    // backfill would send them).
    const sinceReplay = await positionsNow(kafka);
    for (const { service, id } of deadLetters) {
      const response = await fetch(`${pipeline.url(service)}/dead-letters/replay`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ ids: [id] }),
      });
      expect([service, response.status, await response.json()]).toEqual([
        service,
        200,
        expect.objectContaining({ replayed: [id] }),
      ]);
    }
    await deliver(pipeline, 'orders/create', order(ORDER_A, person, '2026-11-27T10:00:00Z'));
    await deliver(
      pipeline,
      'orders/updated',
      order(ORDER_A, person, '2026-11-27T12:00:00Z').replace(
        '"financial_status":"pending"',
        '"financial_status":"refunded"',
      ),
    );
    await waitFor(
      async () =>
        (await count(
          `SELECT count(*) AS n FROM orders.orders WHERE shop_domain = $1
              AND ((id = $2 AND financial_status = 'paid') OR (id = $3 AND financial_status = 'refunded'))`,
          [SHOP, String(ORDER_B), String(ORDER_A)],
        )) === 2 &&
        (await count(
          `SELECT count(*) AS n FROM notification.notifications
            WHERE shop_domain = $1 AND order_id = $2 AND status = 'skipped' AND last_error = 'customer redacted'`,
          [SHOP, String(ORDER_D)],
        )) === 1 &&
        (await count(
          `SELECT count(*) AS n FROM sync.order_syncs WHERE shop_domain = $1 AND order_id = $2 AND status = 'synced'`,
          [SHOP, String(ORDER_D)],
        )) === 1,
      { what: 'the replays and re-sent webhooks applied', timeoutMs: 90_000, intervalMs: 1000 },
    );
    // The order service's events of those changes published (the Kafka search below reads up to
    // where the topics end when it starts).
    await waitFor(
      async () =>
        (await count(
          `SELECT count(*) AS n FROM orders.outbox WHERE sent_at IS NULL AND key LIKE $1 || '/%'`,
        )) === 0,
      { what: "the order service's outbox drained", timeoutMs: 30_000, intervalMs: 500 },
    );

    expect(await everywhere(needles(person))).toEqual({ database: [], apis: [], redis: [] });
    // Since the replay, only the replayed copies themselves (retry topics, DLQ markers) and the
    // re-sent raw webhooks may carry the old bytes; nothing any service wrote does.
    const afterReplay = await searchKafkaSince(kafka, sinceReplay, needles(person), {
      skipTopic: (topic) =>
        topic.endsWith('.dlq') ||
        /\.retry\.v\d+$/.test(topic) ||
        (ALL_SHOPIFY_KAFKA_TOPICS as readonly string[]).includes(topic),
    });
    expect(afterReplay.read).toBeGreaterThan(0);
    expect(afterReplay.found).toEqual([]);
    expect(await mailsTo(person.email)).toBe(mailsBefore);
    const erp = JSON.parse(
      (await getText(`${pipeline.url('shopify-sim')}/sim/erp/orders?shop=${SHOP}`)).text,
    ) as { orderId: string; body: unknown }[];
    expect(erp.map((r) => r.orderId).sort()).toEqual(
      [ORDER_A, ORDER_B, ORDER_C, ORDER_D].map(String).sort(),
    );
    for (const record of erp.filter((r) => r.orderId !== String(ORDER_C)))
      expect(JSON.stringify(record.body)).not.toMatch(
        new RegExp(`${person.email}|${person.last}`, 'i'),
      );
  });

  it('shop/redact then erases every customer of the shop, at the ERP too', async () => {
    // The keeper is still there (checked above); Shopify sends shop/redact 48 h after an uninstall.
    expect((await everywhere(needles(keeper))).database.length).toBeGreaterThan(0);
    const since = await positionsNow(kafka);
    await deliver(pipeline, 'shop/redact', `{"shop_id":954889,"shop_domain":"${SHOP}"}`);
    let left = await everywhere(needles(keeper));
    await waitFor(
      async () => {
        left = await everywhere(needles(keeper));
        return left.database.length + left.apis.length + left.redis.length === 0;
      },
      { what: 'every service to erase the shop', timeoutMs: 90_000, intervalMs: 1000 },
    ).catch(() => undefined);
    expect(left).toEqual({ database: [], apis: [], redis: [] });
    // Every export of the shop is gone, the log of requests stays.
    expect(
      await count(
        `SELECT count(*) AS n FROM notification.privacy_requests WHERE shop_domain = $1 AND export IS NOT NULL`,
      ),
    ).toBe(0);
    expect(
      await count(
        `SELECT count(*) AS n FROM sync.privacy_requests WHERE shop_domain = $1 AND export IS NOT NULL`,
      ),
    ).toBe(0);
    await waitFor(
      async () =>
        (
          JSON.parse(
            (await getText(`${pipeline.url('shopify-sim')}/sim/erp/redactions?shop=${SHOP}`)).text,
          ) as { scope: string }[]
        ).some((r) => r.scope === 'shop'),
      { what: 'the ERP told to erase the shop', timeoutMs: 60_000, intervalMs: 500 },
    );
    const erp = (await getText(`${pipeline.url('shopify-sim')}/sim/erp/orders?shop=${SHOP}`)).text;
    expect(erp).not.toMatch(new RegExp(`${keeper.email}|${keeper.last}`, 'i'));
    const found = await searchKafkaSince(kafka, since, needles(keeper));
    expect(found.read).toBeGreaterThan(0);
    expect(found.found).toEqual([]);
  });
});
