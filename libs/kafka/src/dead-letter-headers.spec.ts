import type { KafkaMessage } from 'kafkajs';
import {
  asSourceMessage,
  decodeFailureHeaders,
  deadLetterId,
  encodeFailureHeaders,
  FailureHeader,
  originalHeaders,
  parseDeadLetterId,
  retryDelayMs,
  type FailureInfo,
} from './dead-letter-headers';

const info: FailureInfo = {
  sourceTopic: 'shopify.orders.v1',
  sourcePartition: 3,
  sourceOffset: '9007199254740993',
  attempts: 2,
  firstFailureAt: '2026-11-27T10:00:00.000Z',
  lastFailureAt: '2026-11-27T10:00:05.000Z',
  errorType: 'OrderPayloadError',
  errorMessage: 'line_items is missing',
  group: 'order',
  consumerGroup: 'order',
  notBefore: '2026-11-27T10:00:09.000Z',
};

describe('failure header codec', () => {
  it('round-trips every field, offsets exact beyond 2^53', () => {
    const headers = encodeFailureHeaders(info);
    expect(decodeFailureHeaders(headers)).toEqual({
      ...info,
      deadLetteredAt: undefined,
      replayedFrom: undefined,
    });
  });

  it('decodes Buffer headers as kafkajs delivers them', () => {
    const headers = Object.fromEntries(
      Object.entries(encodeFailureHeaders(info)).map(([k, v]) => [k, Buffer.from(v)]),
    );
    expect(decodeFailureHeaders(headers)?.sourceOffset).toBe('9007199254740993');
  });

  it('is null for a message that carries no failure record', () => {
    expect(decodeFailureHeaders({ 'shopify-topic': 'orders/create' })).toBeNull();
    expect(decodeFailureHeaders(undefined)).toBeNull();
    expect(
      decodeFailureHeaders({ ...encodeFailureHeaders(info), [FailureHeader.SourceOffset]: 'x' }),
    ).toBeNull();
  });

  it('keeps the original headers and drops an earlier round’s failure headers', () => {
    const headers = {
      'shopify-webhook-id': Buffer.from('w-1'),
      traceparent: '00-abc-def-01',
      ...encodeFailureHeaders(info),
    };
    expect(originalHeaders(headers)).toEqual({
      'shopify-webhook-id': 'w-1',
      traceparent: '00-abc-def-01',
    });
  });

  it('gives the handler the source message: original headers and source offset', () => {
    const retried = {
      key: Buffer.from('shop/1'),
      value: Buffer.from('{"id":1}'),
      offset: '7',
      timestamp: '0',
      attributes: 0,
      headers: { a: Buffer.from('b'), ...encodeFailureHeaders(info) },
    } as unknown as KafkaMessage;
    const source = asSourceMessage(retried, info);
    expect(source.offset).toBe(info.sourceOffset);
    expect(source.value).toBe(retried.value);
    expect(source.headers).toEqual({ a: 'b' });
  });
});

describe('retryDelayMs', () => {
  it('doubles per failed round and stops at the cap', () => {
    expect([1, 2, 3, 4].map((a) => retryDelayMs(a, 1000, 5000))).toEqual([1000, 2000, 4000, 5000]);
    expect(retryDelayMs(60, 1000, 300_000)).toBe(300_000);
    expect(retryDelayMs(0, 10, 100)).toBe(10);
  });
});

describe('dead letter ids', () => {
  it('round-trip topic, partition and offset', () => {
    const id = deadLetterId('shopify.orders.v1.dlq', 4, '12345678901234567');
    expect(id).toBe('shopify.orders.v1.dlq:4:12345678901234567');
    expect(parseDeadLetterId(id)).toEqual({
      topic: 'shopify.orders.v1.dlq',
      partition: 4,
      offset: '12345678901234567',
    });
  });

  it('refuse anything else', () => {
    for (const bad of ['', 'a:b:c', 'topic:1', 'to pic:1:2', 'topic:-1:2', "t';drop:1:2"]) {
      expect(parseDeadLetterId(bad)).toBeNull();
    }
  });
});
