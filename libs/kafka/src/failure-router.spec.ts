import type { KafkaMessage } from 'kafkajs';
import { Registry } from 'prom-client';
import { decodeFailureHeaders, FailureHeader } from './dead-letter-headers';
import { FailureRouter } from './failure-router';
import type { OutgoingMessage } from './producer-types';

const NOW = Date.parse('2026-11-27T10:00:00.000Z');

function setup(maxAttempts = 3) {
  const sent: OutgoingMessage[] = [];
  const registry = new Registry();
  const router = new FailureRouter(
    {
      group: 'order',
      producer: { send: (m) => Promise.resolve(void sent.push(m)) },
      maxAttempts,
      retryDelayBaseMs: 1000,
      retryDelayCapMs: 3000,
      registry,
    },
    'order-blue',
    () => NOW,
  );
  return { sent, router, registry };
}

const message = {
  key: Buffer.from('acme.myshopify.com/1'),
  value: Buffer.from('{"id":1}'),
  offset: '41',
  timestamp: '0',
  attributes: 0,
  headers: { 'shopify-webhook-id': Buffer.from('w-1') },
} as unknown as KafkaMessage;
const origin = { topic: 'shopify.orders.v1', partition: 2, offset: '41' };
const error = { type: 'OrderPayloadError', message: 'line_items is missing' };

describe('FailureRouter', () => {
  it('parks a first failure on the group retry topic with its source, error and not-before', async () => {
    const { sent, router } = setup();
    const routed = await router.route(message, origin, null, error);
    expect(routed).toEqual({ destination: 'retry', topic: 'shopwire.order.retry.v1', attempts: 1 });
    expect(sent).toHaveLength(1);
    expect(sent[0].key).toBe('acme.myshopify.com/1');
    expect(sent[0].value.toString()).toBe('{"id":1}');
    expect(sent[0].headers['shopify-webhook-id']).toBe('w-1');
    expect(decodeFailureHeaders(sent[0].headers)).toMatchObject({
      sourceTopic: 'shopify.orders.v1',
      sourcePartition: 2,
      sourceOffset: '41',
      attempts: 1,
      firstFailureAt: '2026-11-27T10:00:00.000Z',
      errorType: 'OrderPayloadError',
      group: 'order',
      consumerGroup: 'order-blue',
      notBefore: '2026-11-27T10:00:01.000Z',
    });
  });

  it('keeps the first failure time and source across rounds; the delay doubles up to the cap', async () => {
    const { sent, router } = setup(5);
    await router.route(message, origin, null, error);
    let previous = decodeFailureHeaders(sent[0].headers)!;
    previous = { ...previous, firstFailureAt: '2026-11-27T09:00:00.000Z' };
    const retried = { ...message, headers: sent[0].headers, offset: '7' } as KafkaMessage;
    await router.route(
      retried,
      { topic: 'shopwire.order.retry.v1', partition: 0, offset: '7' },
      previous,
      error,
    );
    const second = decodeFailureHeaders(sent[1].headers)!;
    expect(second).toMatchObject({
      sourceTopic: 'shopify.orders.v1',
      sourceOffset: '41',
      attempts: 2,
      firstFailureAt: '2026-11-27T09:00:00.000Z',
      notBefore: '2026-11-27T10:00:02.000Z',
    });
    await router.route(retried, origin, { ...second, attempts: 3 }, error);
    expect(decodeFailureHeaders(sent[2].headers)!.notBefore).toBe('2026-11-27T10:00:03.000Z');
  });

  it('dead-letters to <source>.dlq once the attempts are spent, and counts it', async () => {
    const { sent, router, registry } = setup(3);
    await router.route(message, origin, null, error);
    const previous = { ...decodeFailureHeaders(sent[0].headers)!, attempts: 2 };
    const routed = await router.route(message, origin, previous, error);
    expect(routed).toEqual({
      destination: 'dead-letter',
      topic: 'shopify.orders.v1.dlq',
      attempts: 3,
    });
    expect(sent[1].headers[FailureHeader.DeadLetteredAt]).toBe('2026-11-27T10:00:00.000Z');
    expect(sent[1].headers[FailureHeader.NotBefore]).toBeUndefined();
    const metrics = await registry.getMetricsAsJSON();
    const total = (name: string) => metrics.find((m) => m.name === name)?.values[0]?.value;
    expect(total('shopwire_consumer_sent_to_retry_topic_total')).toBe(1);
    expect(total('shopwire_consumer_dead_lettered_total')).toBe(1);
  });

  it('truncates long error messages', async () => {
    const { sent, router } = setup();
    await router.route(message, origin, null, { type: 'Error', message: 'x'.repeat(1000) });
    expect(sent[0].headers[FailureHeader.ErrorMessage]).toHaveLength(300);
  });
});
