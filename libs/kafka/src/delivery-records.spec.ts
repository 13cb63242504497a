import { envelopeHeaders } from '@shopwire/contracts';
import type { KafkaMessage } from 'kafkajs';
import { deliveryRecordOf } from './delivery-records';

const message = (overrides: Partial<KafkaMessage> = {}): KafkaMessage =>
  ({
    key: Buffer.from('acme.myshopify.com/9007199254740993'),
    value: Buffer.from('{}'),
    offset: '9007199254740995',
    timestamp: '1796360400000',
    attributes: 0,
    headers: {
      ...envelopeHeaders({
        webhookId: 'wh-1',
        eventId: null,
        shopifyTopic: 'orders/updated',
        shopDomain: 'acme.myshopify.com',
        apiVersion: null,
        triggeredAt: null,
        receivedAt: '2026-12-06T05:00:00.000Z',
      }),
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    },
    ...overrides,
  }) as KafkaMessage;

describe('deliveryRecordOf', () => {
  it("records a first delivery where it sits, with the message's time and trace", () => {
    expect(
      deliveryRecordOf('order', message(), { topic: 'shopify.orders.v1', partition: 4 }),
    ).toEqual({
      eventId: 'wh-1',
      webhookId: 'wh-1',
      shop: 'acme.myshopify.com',
      topic: 'orders/updated',
      resourceId: '9007199254740993',
      group: 'order',
      kafka: { topic: 'shopify.orders.v1', partition: 4, offset: '9007199254740995' },
      acceptedAt: new Date(1796360400000),
      attempts: 1,
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    });
  });

  it('counts the rounds of a re-run from the retry topic', () => {
    const record = deliveryRecordOf('order', message(), {
      topic: 'shopify.orders.v1',
      partition: 4,
      redelivery: {
        attempts: 2,
        retryTopic: 'shopwire.order.retry.v1',
        retryPartition: 0,
        retryOffset: '7',
      },
    });
    expect(record?.attempts).toBe(3);
  });

  it('leaves the time out when the message has none, and names nothing that is not a delivery', () => {
    expect(
      deliveryRecordOf('order', message({ timestamp: '-1' }), { topic: 't', partition: 0 })
        ?.acceptedAt,
    ).toBeNull();
    expect(
      deliveryRecordOf('sync', message({ headers: {}, value: Buffer.from('{"jobId":"1"}') }), {
        topic: 'shopwire.jobs.sync.v1',
        partition: 0,
      }),
    ).toBeNull();
  });
});
