import { ALL_SHOPIFY_KAFKA_TOPICS, ShopifyKafkaTopic } from '@shopwire/contracts';
import {
  collectMessages,
  headerValue,
  startOwnKafka,
  topicPositions,
  waitFor,
  type OwnKafka,
} from '@shopwire/testing';
import { randomUUID } from 'node:crypto';
import {
  orderBody,
  post,
  signedDelivery,
  startGateway,
  type Delivery,
  type RunningGateway,
} from './gateway-harness';

/**
 * The broker goes away under load and comes back. Every delivery answered 200 must be in Kafka;
 * every other one must have been told to come back (503 with Retry-After) within the bound, and
 * once re-sent, as Shopify would, be accepted. Lost = 0.
 *
 * The broker that goes away is the suite's own (`startOwnKafka`), so the outage touches no other
 * suite and this one runs beside them.
 */
describe('gateway during a Kafka outage (real broker stopped and restarted)', () => {
  let broker: OwnKafka;
  let gateway: RunningGateway;
  const ACK_TIMEOUT_MS = 2000;
  let ordersFrom: Map<number, string>;

  beforeAll(async () => {
    broker = await startOwnKafka(ALL_SHOPIFY_KAFKA_TOPICS);
    ordersFrom = await topicPositions(broker.kafka(), ShopifyKafkaTopic.Orders);
    gateway = await startGateway({
      KAFKA_BROKERS: broker.brokers,
      KAFKA_ACK_TIMEOUT_MS: String(ACK_TIMEOUT_MS),
      RETRY_AFTER_SECONDS: '3',
    });
  }, 300_000);

  afterAll(async () => {
    await gateway?.close();
    await broker?.remove();
  }, 120_000);

  it('answers 503 while Kafka is down, loses nothing it acknowledged, and recovers', async () => {
    const accepted = new Set<string>();
    const refused = new Map<string, Delivery>();
    const slowRefusals: number[] = [];
    let running = true;
    let sequence = 0;

    const sender = async () => {
      while (running) {
        const delivery = signedDelivery(
          orderBody(String(820982911946100000n + BigInt(sequence++))),
        );
        const started = Date.now();
        const response = await post(gateway.url, delivery);
        if (response.status === 200) {
          accepted.add(delivery.webhookId);
          refused.delete(delivery.webhookId);
        } else {
          expect(response.status).toBe(503);
          expect(response.headers.get('retry-after')).toBe('3');
          const elapsed = Date.now() - started;
          if (elapsed > ACK_TIMEOUT_MS + 1500) slowRefusals.push(elapsed);
          refused.set(delivery.webhookId, delivery);
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    };
    const senders = Array.from({ length: 8 }, () => sender());

    await waitFor(() => accepted.size >= 50, { what: '50 accepted before the outage' });
    await broker.stop();
    const acceptedBeforeOutage = accepted.size;
    await waitFor(() => refused.size >= 10, { what: '503s during the outage', timeoutMs: 30_000 });
    const ready = await fetch(`${gateway.url}/health/ready`);
    expect(ready.status).toBe(503);

    await broker.start();
    const refusedDuringOutage = refused.size;
    await waitFor(() => accepted.size >= acceptedBeforeOutage + 50, {
      what: 'webhooks accepted again after the broker came back',
      timeoutMs: 60_000,
    });
    running = false;
    await Promise.all(senders);

    // Shopify retries what was refused; the same deliveries must now be accepted.
    for (const delivery of [...refused.values()]) {
      const response = await post(gateway.url, delivery);
      expect(response.status).toBe(200);
      accepted.add(delivery.webhookId);
    }

    const inKafka = new Map<string, number>();
    await collectMessages(broker.kafka(), ShopifyKafkaTopic.Orders, {
      from: ordersFrom,
      filter: (message) => {
        const id = headerValue(message, 'shopify-webhook-id') ?? '';
        if (!accepted.has(id)) return false;
        inKafka.set(id, (inKafka.get(id) ?? 0) + 1);
        return true;
      },
      done: () => inKafka.size >= accepted.size,
      timeoutMs: 60_000,
    });
    const lost = [...accepted].filter((id) => !inKafka.has(id));
    const written = [...inKafka.values()].reduce((a, b) => a + b, 0);
    // Visible in the test log: how the outage went.
    process.stdout.write(
      `outage: accepted=${accepted.size} refused-then-retried=${refusedDuringOutage} ` +
        `in-kafka=${inKafka.size} copies=${written} lost=${lost.length} slow-503s=${slowRefusals.length}\n`,
    );
    expect(lost).toEqual([]);
    expect(slowRefusals).toEqual([]);
    expect(refusedDuringOutage).toBeGreaterThan(0);
  }, 240_000);

  it('has a fresh webhook accepted after recovery', async () => {
    const delivery = signedDelivery(orderBody('820982911946199999'), { webhookId: randomUUID() });
    expect((await post(gateway.url, delivery)).status).toBe(200);
  });
});
