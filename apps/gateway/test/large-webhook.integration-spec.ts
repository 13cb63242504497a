import { ShopifyKafkaTopic } from '@shopwire/contracts';
import { collectMessages, headerValue, testKafka, topicPositions } from '@shopwire/testing';
import { post, signedDelivery, startGateway, type RunningGateway } from './gateway-harness';

/**
 * Kafka's default limit is 1 MB per record batch; a webhook the gateway accepts (up to 5 MiB by
 * default) must fit the topic, or it would get 503 forever and Shopify would retry it until the
 * subscription is deleted. Provisioning raises the topics' max.message.bytes for this.
 */
describe('a large webhook (real broker)', () => {
  let gateway: RunningGateway;

  beforeAll(async () => {
    // What is checked is the size, not the ack latency: 4 MiB acked with acks=all can take longer
    // than the production 2 s on a loaded 2-core CI machine, and a 503 then would be no finding.
    gateway = await startGateway({ KAFKA_ACK_TIMEOUT_MS: '15000' });
  });

  afterAll(async () => {
    await gateway.close();
  });

  it('accepts a 4 MiB order and stores it whole', async () => {
    const note = 'n'.repeat(4 * 1024 * 1024);
    const body = Buffer.from(
      `{"id":820982911946154508,"updated_at":"2026-11-27T10:00:00Z","note":"${note}"}`,
    );
    const delivery = signedDelivery(body);
    const from = await topicPositions(testKafka(), ShopifyKafkaTopic.Orders);
    const response = await post(gateway.url, delivery);
    expect(response.status).toBe(200);
    const found = await collectMessages(testKafka(), ShopifyKafkaTopic.Orders, {
      filter: (m) => headerValue(m, 'shopify-webhook-id') === delivery.webhookId,
      done: (messages) => messages.length >= 1,
      from,
    });
    expect(found).toHaveLength(1);
    expect(found[0].message.value?.equals(body)).toBe(true);
  });
});
