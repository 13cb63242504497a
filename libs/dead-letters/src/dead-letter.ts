import {
  deadLetterId,
  decodeFailureHeaders,
  FailureHeader,
  headerString,
  originalHeaders,
} from '@shopwire/kafka';
import type { KafkaMessage } from 'kafkajs';

/** The Kafka header holding the shop a webhook came from (see EnvelopeHeader in contracts). */
const SHOP_HEADER = 'shopify-shop-domain';
/** Written on a replay marker: when the dead letter was replayed. */
export const REPLAYED_AT_HEADER = 'x-shopwire-replayed-at';

/** One dead letter as the APIs show it; the payload only when asked for. */
export interface DeadLetter {
  /** `<dlq topic>:<partition>:<offset>` */
  id: string;
  group: string;
  consumerGroup: string;
  sourceTopic: string;
  sourcePartition: number;
  sourceOffset: string;
  attempts: number;
  firstFailureAt: string;
  deadLetteredAt: string;
  error: { type: string; message: string };
  shop: string | null;
  key: string | null;
  /** Payload size in bytes. */
  size: number;
  /** The message's own headers (without the failure headers, which are the fields above). */
  headers: Record<string, string>;
  /** When it was replayed last, or null while pending. */
  replayedAt: string | null;
  /** Set when this dead letter is itself a replayed message that failed again. */
  replayedFrom: string | null;
}

export interface DeadLetterPayload {
  encoding: 'utf8' | 'base64';
  data: string;
}

export interface DeadLetterFilter {
  group?: string;
  sourceTopic?: string;
  /** Dead-lettered at or after (ISO 8601). */
  since?: string;
  errorType?: string;
  shop?: string;
  status?: 'pending' | 'replayed' | 'all';
}

/** What a DLQ topic's message is: a dead letter, a replay marker, or something else. */
export type DlqEntry =
  | { kind: 'letter'; letter: DeadLetter; value: Buffer }
  | { kind: 'marker'; replayOf: string; replayedAt: string }
  | { kind: 'other' };

export function decodeDlqEntry(topic: string, partition: number, message: KafkaMessage): DlqEntry {
  const replayOf = headerString(message.headers, FailureHeader.ReplayOf);
  if (replayOf) {
    const replayedAt = headerString(message.headers, REPLAYED_AT_HEADER) ?? '';
    return { kind: 'marker', replayOf, replayedAt };
  }
  const info = decodeFailureHeaders(message.headers);
  if (!info) return { kind: 'other' };
  const value = message.value ?? Buffer.alloc(0);
  const headers = originalHeaders(message.headers);
  return {
    kind: 'letter',
    value,
    letter: {
      id: deadLetterId(topic, partition, message.offset),
      group: info.group,
      consumerGroup: info.consumerGroup,
      sourceTopic: info.sourceTopic,
      sourcePartition: info.sourcePartition,
      sourceOffset: info.sourceOffset,
      attempts: info.attempts,
      firstFailureAt: info.firstFailureAt,
      deadLetteredAt: info.deadLetteredAt ?? info.lastFailureAt,
      error: { type: info.errorType, message: info.errorMessage },
      shop: headers[SHOP_HEADER] ?? null,
      key: message.key?.toString() ?? null,
      size: value.length,
      headers,
      replayedAt: null,
      replayedFrom: info.replayedFrom ?? null,
    },
  };
}

export function matchesFilter(letter: DeadLetter, filter: DeadLetterFilter): boolean {
  if (filter.group && letter.group !== filter.group) return false;
  if (filter.sourceTopic && letter.sourceTopic !== filter.sourceTopic) return false;
  if (filter.errorType && letter.error.type !== filter.errorType) return false;
  if (filter.shop && letter.shop !== filter.shop) return false;
  if (filter.since && !(Date.parse(letter.deadLetteredAt) >= Date.parse(filter.since))) {
    return false;
  }
  const status = filter.status ?? 'all';
  if (status === 'pending' && letter.replayedAt !== null) return false;
  if (status === 'replayed' && letter.replayedAt === null) return false;
  return true;
}

/** UTF-8 text when the bytes are valid UTF-8 (webhook JSON), base64 otherwise. */
export function encodePayload(value: Buffer): DeadLetterPayload {
  const text = value.toString('utf8');
  return Buffer.from(text, 'utf8').equals(value)
    ? { encoding: 'utf8', data: text }
    : { encoding: 'base64', data: value.toString('base64') };
}
