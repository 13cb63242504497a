import type { IHeaders, KafkaMessage } from 'kafkajs';

/**
 * Headers the runner adds when it parks a message on a retry topic or a dead-letter topic. The
 * message's own key, value bytes and headers travel unchanged next to them, so a retry or a
 * replay hands the handler exactly what the source topic held.
 */
export const FailureHeader = {
  SourceTopic: 'x-shopwire-source-topic',
  SourcePartition: 'x-shopwire-source-partition',
  SourceOffset: 'x-shopwire-source-offset',
  /** Failed delivery rounds so far (a round = the bounded in-place retries). */
  Attempts: 'x-shopwire-attempts',
  FirstFailureAt: 'x-shopwire-first-failure-at',
  LastFailureAt: 'x-shopwire-last-failure-at',
  ErrorType: 'x-shopwire-error-type',
  /** Type and message only — never the payload or a query's parameters. */
  ErrorMessage: 'x-shopwire-error-message',
  /** Retry topic only: do not re-run before this time (ISO 8601). */
  NotBefore: 'x-shopwire-not-before',
  /** The logical consumer group (names the retry topic; filters the shared DLQ topics). */
  Group: 'x-shopwire-group',
  /** The Kafka group id that failed it: only that group re-runs it from the retry topic. */
  ConsumerGroup: 'x-shopwire-consumer-group',
  DeadLetteredAt: 'x-shopwire-dead-lettered-at',
  /** Why a message went straight to the DLQ without retry rounds, e.g. `malformed:json`. */
  DeadLetterReason: 'x-shopwire-dead-letter-reason',
  /** On a replayed message: the dead letter (`<topic>:<partition>:<offset>`) it came from. */
  ReplayedFrom: 'x-shopwire-replayed-from',
  /** On a replay marker in a DLQ topic: the dead letter that was replayed. */
  ReplayOf: 'x-shopwire-replay-of',
} as const;

const OURS = new Set<string>(Object.values(FailureHeader));

/** Where a failed message came from and how it has failed so far. */
export interface FailureInfo {
  sourceTopic: string;
  sourcePartition: number;
  sourceOffset: string;
  attempts: number;
  firstFailureAt: string;
  lastFailureAt: string;
  errorType: string;
  errorMessage: string;
  group: string;
  consumerGroup: string;
  notBefore?: string;
  deadLetteredAt?: string;
  deadLetterReason?: string;
  replayedFrom?: string;
}

export function headerString(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}

/**
 * The message's own headers, without any failure headers of an earlier round (a message going
 * round the retry topic again must not carry two error headers). Values are decoded as UTF-8:
 * every header Shopwire writes is text.
 */
export function originalHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (OURS.has(name) || value === undefined) continue;
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) out[name] = first.toString();
  }
  return out;
}

export function encodeFailureHeaders(info: FailureInfo): Record<string, string> {
  const headers: Record<string, string> = {
    [FailureHeader.SourceTopic]: info.sourceTopic,
    [FailureHeader.SourcePartition]: String(info.sourcePartition),
    [FailureHeader.SourceOffset]: info.sourceOffset,
    [FailureHeader.Attempts]: String(info.attempts),
    [FailureHeader.FirstFailureAt]: info.firstFailureAt,
    [FailureHeader.LastFailureAt]: info.lastFailureAt,
    [FailureHeader.ErrorType]: info.errorType,
    [FailureHeader.ErrorMessage]: info.errorMessage,
    [FailureHeader.Group]: info.group,
    [FailureHeader.ConsumerGroup]: info.consumerGroup,
  };
  if (info.notBefore) headers[FailureHeader.NotBefore] = info.notBefore;
  if (info.deadLetteredAt) headers[FailureHeader.DeadLetteredAt] = info.deadLetteredAt;
  if (info.deadLetterReason) headers[FailureHeader.DeadLetterReason] = info.deadLetterReason;
  if (info.replayedFrom) headers[FailureHeader.ReplayedFrom] = info.replayedFrom;
  return headers;
}

/** The failure headers of a retry-topic or dead-letter message; null if it carries none. */
export function decodeFailureHeaders(headers: IHeaders | undefined): FailureInfo | null {
  const sourceTopic = headerString(headers, FailureHeader.SourceTopic);
  const partition = headerString(headers, FailureHeader.SourcePartition);
  const offset = headerString(headers, FailureHeader.SourceOffset);
  if (!sourceTopic || partition === undefined || offset === undefined) return null;
  if (!/^\d+$/.test(partition) || !/^\d+$/.test(offset)) return null;
  const attempts = Number(headerString(headers, FailureHeader.Attempts) ?? '0');
  const get = (name: string) => headerString(headers, name) ?? '';
  return {
    sourceTopic,
    sourcePartition: Number(partition),
    sourceOffset: offset,
    attempts: Number.isSafeInteger(attempts) && attempts >= 0 ? attempts : 0,
    firstFailureAt: get(FailureHeader.FirstFailureAt),
    lastFailureAt: get(FailureHeader.LastFailureAt),
    errorType: get(FailureHeader.ErrorType),
    errorMessage: get(FailureHeader.ErrorMessage),
    group: get(FailureHeader.Group),
    consumerGroup: get(FailureHeader.ConsumerGroup),
    notBefore: headerString(headers, FailureHeader.NotBefore),
    deadLetteredAt: headerString(headers, FailureHeader.DeadLetteredAt),
    deadLetterReason: headerString(headers, FailureHeader.DeadLetterReason),
    replayedFrom: headerString(headers, FailureHeader.ReplayedFrom),
  };
}

/**
 * Delay before delivery round `attempts + 1` from the retry topic: base·2^(attempts-1), capped.
 * Not jittered: messages parked together are re-run in offset order anyway, and the in-place
 * retries (which are jittered) absorb the bursts.
 */
export function retryDelayMs(attempts: number, baseMs: number, capMs: number): number {
  return Math.min(capMs, baseMs * 2 ** Math.max(0, attempts - 1));
}

/** A dead letter's id: where it sits in its dead-letter topic. */
export function deadLetterId(topic: string, partition: number, offset: string): string {
  return `${topic}:${partition}:${offset}`;
}

export function parseDeadLetterId(
  id: string,
): { topic: string; partition: number; offset: string } | null {
  const match = /^([A-Za-z0-9._-]+):(\d{1,9}):(\d{1,19})$/.exec(id);
  if (!match) return null;
  return { topic: match[1], partition: Number(match[2]), offset: match[3] };
}

/** What the handler sees for a message re-run from the retry topic: the source's own shape. */
export function asSourceMessage(retried: KafkaMessage, info: FailureInfo): KafkaMessage {
  return {
    ...retried,
    offset: info.sourceOffset,
    headers: originalHeaders(retried.headers),
  } as KafkaMessage;
}
