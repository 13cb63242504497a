import { encodeFailureHeaders, FailureHeader, type FailureInfo } from '@shopwire/kafka';
import type { KafkaMessage } from 'kafkajs';
import {
  decodeDlqEntry,
  encodePayload,
  matchesFilter,
  REPLAYED_AT_HEADER,
  type DeadLetter,
} from './dead-letter';

const info: FailureInfo = {
  sourceTopic: 'shopify.orders.v1',
  sourcePartition: 1,
  sourceOffset: '42',
  attempts: 5,
  firstFailureAt: '2026-11-27T10:00:00.000Z',
  lastFailureAt: '2026-11-27T10:05:00.000Z',
  deadLetteredAt: '2026-11-27T10:05:00.000Z',
  errorType: 'OrderPayloadError',
  errorMessage: 'line_items is missing',
  group: 'order',
  consumerGroup: 'order',
};

function message(headers: Record<string, string>, value = '{"id":1}', offset = '7'): KafkaMessage {
  return {
    key: Buffer.from('acme.myshopify.com/1'),
    value: Buffer.from(value),
    offset,
    timestamp: '0',
    attributes: 0,
    headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Buffer.from(v)])),
  } as KafkaMessage;
}

describe('decodeDlqEntry', () => {
  it('reads a dead letter: id from its DLQ position, metadata from headers, shop from the envelope', () => {
    const entry = decodeDlqEntry(
      'shopify.orders.v1.dlq',
      3,
      message({ ...encodeFailureHeaders(info), 'shopify-shop-domain': 'acme.myshopify.com' }),
    );
    expect(entry.kind).toBe('letter');
    if (entry.kind !== 'letter') return;
    expect(entry.letter).toMatchObject({
      id: 'shopify.orders.v1.dlq:3:7',
      group: 'order',
      sourceTopic: 'shopify.orders.v1',
      sourceOffset: '42',
      attempts: 5,
      deadLetteredAt: info.deadLetteredAt,
      error: { type: 'OrderPayloadError', message: 'line_items is missing' },
      shop: 'acme.myshopify.com',
      key: 'acme.myshopify.com/1',
      size: 8,
      headers: { 'shopify-shop-domain': 'acme.myshopify.com' },
      replayedAt: null,
    });
    expect(entry.value.toString()).toBe('{"id":1}');
  });

  it('reads a replay marker, and ignores foreign messages', () => {
    expect(
      decodeDlqEntry(
        't.dlq',
        0,
        message({ [FailureHeader.ReplayOf]: 't.dlq:0:7', [REPLAYED_AT_HEADER]: 'x' }, ''),
      ),
    ).toEqual({ kind: 'marker', replayOf: 't.dlq:0:7', replayedAt: 'x' });
    expect(decodeDlqEntry('t.dlq', 0, message({ foo: 'bar' })).kind).toBe('other');
  });
});

describe('matchesFilter', () => {
  const letter = {
    group: 'order',
    sourceTopic: 'shopify.orders.v1',
    error: { type: 'OrderPayloadError', message: 'x' },
    shop: 'acme.myshopify.com',
    deadLetteredAt: '2026-11-27T10:05:00.000Z',
    replayedAt: null,
  } as DeadLetter;

  it('matches on every given field and ignores absent ones', () => {
    expect(matchesFilter(letter, {})).toBe(true);
    expect(
      matchesFilter(letter, {
        group: 'order',
        sourceTopic: 'shopify.orders.v1',
        errorType: 'OrderPayloadError',
        shop: 'acme.myshopify.com',
        since: '2026-11-27T10:00:00Z',
        status: 'pending',
      }),
    ).toBe(true);
    expect(matchesFilter(letter, { group: 'sync' })).toBe(false);
    expect(matchesFilter(letter, { sourceTopic: 'shopify.products.v1' })).toBe(false);
    expect(matchesFilter(letter, { errorType: 'TypeError' })).toBe(false);
    expect(matchesFilter(letter, { shop: 'other.myshopify.com' })).toBe(false);
    expect(matchesFilter(letter, { since: '2026-11-27T10:06:00Z' })).toBe(false);
    expect(matchesFilter(letter, { status: 'replayed' })).toBe(false);
    expect(matchesFilter({ ...letter, replayedAt: 'now' }, { status: 'pending' })).toBe(false);
  });
});

describe('encodePayload', () => {
  it('keeps UTF-8 as text and anything else as base64', () => {
    expect(encodePayload(Buffer.from('{"name":"Zoë"}'))).toEqual({
      encoding: 'utf8',
      data: '{"name":"Zoë"}',
    });
    expect(encodePayload(Buffer.from([0xff, 0xfe, 0x00]))).toEqual({
      encoding: 'base64',
      data: '//4A',
    });
  });
});
