import { retryTopicOf } from '@shopwire/contracts';
import {
  BatchingProducer,
  encodeFailureHeaders,
  FailureHeader,
  parseDeadLetterId,
  type FailurePublisher,
} from '@shopwire/kafka';
import type { Kafka } from 'kafkajs';
import pino, { type Logger } from 'pino';
import type { Registry } from 'prom-client';
import {
  decodeDlqEntry,
  encodePayload,
  matchesFilter,
  REPLAYED_AT_HEADER,
  type DeadLetter,
  type DeadLetterFilter,
  type DeadLetterPayload,
} from './dead-letter';
import { DeadLetterMetrics } from './dead-letter.metrics';
import { DlqIndex } from './dlq-index';
import { partitionRanges, readWindows, type ReadWindow } from './dlq-reader';

export interface DeadLetterStoreOptions {
  kafka: Kafka;
  /**
   * The DLQ topics to read. Default: every topic named `*.dlq` on the broker (the ops CLI); a
   * service passes its own source topics' DLQs.
   */
  deadLetterTopics?: readonly string[];
  /** Acked sender for replays; default a `BatchingProducer` created on first replay. */
  producer?: FailurePublisher;
  /** Default `retryTopicOf`. */
  retryTopicOf?: (group: string) => string;
  registry?: Registry;
  logger?: Logger;
  /** Most dead letters in one page (and most messages read per partition for it). Default 100. */
  pageSize?: number;
}

export type ReplaySelection =
  { ids: readonly string[]; force?: boolean } | { filter: DeadLetterFilter; force?: boolean };

export interface ReplayResult {
  replayed: string[];
  skipped: { id: string; reason: 'not found' | 'already replayed' }[];
}

export interface DeadLetterPage {
  letters: DeadLetter[];
  /** Where the next page starts; null once every DLQ partition has been read to its end. */
  nextCursor: string | null;
}

/** A cursor that is not one this store handed out. */
export class DeadLetterCursorError extends Error {
  override readonly name = 'DeadLetterCursorError';
}

/** Which offset each DLQ partition is read from next: `{"<topic>:<partition>": "<offset>"}`. */
type Positions = Map<string, bigint>;

function encodeCursor(positions: Positions): string {
  const plain = Object.fromEntries([...positions].map(([key, offset]) => [key, String(offset)]));
  return Buffer.from(JSON.stringify(plain)).toString('base64url');
}

function decodeCursor(cursor: string): Positions {
  try {
    const plain = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (plain === null || typeof plain !== 'object' || Array.isArray(plain)) throw new Error();
    const positions: Positions = new Map();
    for (const [key, offset] of Object.entries(plain as Record<string, unknown>)) {
      if (
        !/^[A-Za-z0-9._-]+:\d{1,9}$/.test(key) ||
        typeof offset !== 'string' ||
        !/^\d{1,19}$/.test(offset)
      )
        throw new Error();
      positions.set(key, BigInt(offset));
    }
    return positions;
  } catch {
    throw new DeadLetterCursorError('cursor is not one this API handed out');
  }
}

/**
 * Dead letters, read straight from the DLQ topics (Kafka is the store: nothing to migrate, and the
 * ops CLI and every service's API see the same thing) — a page at a time: a page reads at most
 * `pageSize` messages per DLQ partition from an offset cursor, keeps only the letters' metadata
 * (the payload only for the one letter asked for), and never holds a topic in memory. Whether a
 * letter was replayed and how many are pending come from `DlqIndex` (markers and pending ids, no
 * payloads), which reads each topic once and then only what is new.
 *
 * A replay republishes the original bytes and headers to the failing group's retry topic with the
 * attempt count reset — so it runs through the same idempotent handler and inbox — and then
 * appends a replay marker (empty value, header `x-shopwire-replay-of`) to the same DLQ topic. A
 * dead letter with a marker counts as replayed, and "replay all" skips it. A crash between the two
 * writes replays it again next time, which the handler's inbox absorbs.
 */
export class DeadLetterStore {
  private ownProducer: BatchingProducer | null = null;
  private readonly metrics: DeadLetterMetrics | null;
  private readonly logger: Logger;
  private readonly index: DlqIndex;
  private readonly pageSize: number;

  constructor(private readonly options: DeadLetterStoreOptions) {
    this.metrics = options.registry ? new DeadLetterMetrics(options.registry) : null;
    this.logger = options.logger ?? pino({ level: 'silent' });
    this.index = new DlqIndex(options.kafka);
    this.pageSize = options.pageSize ?? 100;
  }

  /**
   * One page of the dead letters matching `filter`, in DLQ order (topic, partition, offset). A
   * page may hold fewer than `limit` letters (filters are applied to what was read) and still
   * have a next cursor: keep going until `nextCursor` is null.
   */
  async listPage(
    filter: DeadLetterFilter = {},
    options: { limit?: number; cursor?: string | null } = {},
  ): Promise<DeadLetterPage> {
    const limit = Math.max(1, Math.min(options.limit ?? this.pageSize, 1000));
    const positions = options.cursor ? decodeCursor(options.cursor) : new Map<string, bigint>();
    const topics = await this.topics();
    await this.refresh(topics);
    const { letters, nextCursor } = await this.readPage(topics, positions, limit, filter, false);
    return { letters: letters.map((l) => l.letter), nextCursor };
  }

  /** Every matching dead letter, page after page (the ops CLI; an API pages with `listPage`). */
  async list(filter: DeadLetterFilter = {}): Promise<DeadLetter[]> {
    const all: DeadLetter[] = [];
    let cursor: string | null = null;
    do {
      const page = await this.listPage(filter, { cursor, limit: this.pageSize });
      all.push(...page.letters);
      cursor = page.nextCursor;
    } while (cursor);
    return all;
  }

  /** Reads what the DLQ topics gained and refreshes the pending-depth gauges. */
  async refreshDepth(): Promise<void> {
    await this.refresh(await this.topics());
  }

  /** One dead letter; with `payload`, its original bytes too. null when there is no such letter. */
  async get(
    id: string,
    options: { payload?: boolean } = {},
  ): Promise<(DeadLetter & { payload?: DeadLetterPayload }) | null> {
    const where = parseDeadLetterId(id);
    if (!where || !(await this.topics()).includes(where.topic)) return null;
    const found = await this.readIds([id], options.payload === true);
    await this.index.catchUp([where.topic]);
    const hit = found.get(id);
    if (!hit) return null;
    hit.letter.replayedAt = this.index.replayedAt(id);
    return options.payload ? { ...hit.letter, payload: encodePayload(hit.value!) } : hit.letter;
  }

  async replay(selection: ReplaySelection, scope: DeadLetterFilter = {}): Promise<ReplayResult> {
    const result: ReplayResult = { replayed: [], skipped: [] };
    const topics = await this.topics();
    await this.refresh(topics);
    const force = selection.force === true;
    if ('ids' in selection) {
      const ids = [...new Set(selection.ids)];
      const found = await this.readIds(
        ids.filter((id) => topics.includes(parseDeadLetterId(id)?.topic ?? '')),
        true,
      );
      for (const id of ids) {
        const hit = found.get(id);
        if (hit) hit.letter.replayedAt = this.index.replayedAt(id);
        if (!hit || !matchesFilter(hit.letter, scope)) {
          result.skipped.push({ id, reason: 'not found' });
          continue;
        }
        await this.replayChosen(hit.letter, hit.value!, force, result);
      }
      return result;
    }
    // Page by page, so a large DLQ is never held at once.
    let positions = new Map<string, bigint>();
    for (;;) {
      const page = await this.readPage(topics, positions, this.pageSize, scope, true);
      for (const { letter, value } of page.letters) {
        if (matchesFilter(letter, selection.filter))
          await this.replayChosen(letter, value!, force, result);
      }
      if (!page.nextCursor) return result;
      positions = decodeCursor(page.nextCursor);
    }
  }

  async close(): Promise<void> {
    await this.ownProducer?.close();
    this.ownProducer = null;
  }

  private async replayChosen(
    letter: DeadLetter,
    value: Buffer,
    force: boolean,
    result: ReplayResult,
  ): Promise<void> {
    if (letter.replayedAt && !force) {
      result.skipped.push({ id: letter.id, reason: 'already replayed' });
      return;
    }
    await this.replayOne(letter, value);
    result.replayed.push(letter.id);
  }

  private async refresh(topics: readonly string[]): Promise<void> {
    await this.index.catchUp(topics);
    this.metrics?.observePending(this.index.depth());
  }

  /**
   * Reads, per DLQ partition, at most `limit` messages from its position; then takes the matching
   * letters in (topic, partition, offset) order up to `limit`. The next cursor moves each
   * partition past what the page used: a partition read to its window's end moves to it, the
   * partition where the page filled moves past its last letter, later ones stay where they were.
   */
  private async readPage(
    topics: readonly string[],
    positions: Positions,
    limit: number,
    filter: DeadLetterFilter,
    withValues: boolean,
  ): Promise<{ letters: { letter: DeadLetter; value?: Buffer }[]; nextCursor: string | null }> {
    const ranges = await partitionRanges(this.options.kafka, topics);
    const windows: ReadWindow[] = [];
    for (const range of ranges) {
      const key = `${range.topic}:${range.partition}`;
      const position = positions.get(key) ?? range.low;
      const from = position < range.low ? range.low : position;
      const to = from + BigInt(limit) < range.high ? from + BigInt(limit) : range.high;
      windows.push({ topic: range.topic, partition: range.partition, from, to });
    }
    const read = new Map<string, { offset: bigint; letter: DeadLetter; value?: Buffer }[]>();
    await readWindows(this.options.kafka, windows, ({ topic, partition, message }) => {
      const entry = decodeDlqEntry(topic, partition, message);
      if (entry.kind !== 'letter') return;
      entry.letter.replayedAt = this.index.replayedAt(entry.letter.id);
      if (!matchesFilter(entry.letter, filter)) return;
      const key = `${topic}:${partition}`;
      let list = read.get(key);
      if (!list) read.set(key, (list = []));
      list.push({
        offset: BigInt(message.offset),
        letter: entry.letter,
        value: withValues ? entry.value : undefined,
      });
    });
    const letters: { letter: DeadLetter; value?: Buffer }[] = [];
    const next: Positions = new Map();
    let full = false;
    for (const window of windows) {
      const key = `${window.topic}:${window.partition}`;
      if (full) {
        next.set(key, window.from);
        continue;
      }
      const found = (read.get(key) ?? []).sort((a, b) => (a.offset < b.offset ? -1 : 1));
      let moved = window.to;
      for (const item of found) {
        letters.push({ letter: item.letter, value: item.value });
        if (letters.length === limit) {
          full = true;
          moved = item.offset + 1n;
          break;
        }
      }
      next.set(key, moved);
    }
    const done = ranges.every((range) => {
      const at = next.get(`${range.topic}:${range.partition}`) ?? range.low;
      return at >= range.high;
    });
    return { letters, nextCursor: done ? null : encodeCursor(next) };
  }

  /** The given letters (ids in DLQ topics), one bounded window per partition around them. */
  private async readIds(
    ids: readonly string[],
    withValues: boolean,
  ): Promise<Map<string, { letter: DeadLetter; value?: Buffer }>> {
    const wanted = new Set(ids);
    const spans = new Map<string, ReadWindow>();
    for (const id of ids) {
      const where = parseDeadLetterId(id);
      if (!where) continue;
      const offset = BigInt(where.offset);
      const key = `${where.topic}:${where.partition}`;
      const span = spans.get(key);
      if (!span) spans.set(key, { ...where, from: offset, to: offset + 1n });
      else {
        if (offset < span.from) span.from = offset;
        if (offset + 1n > span.to) span.to = offset + 1n;
      }
    }
    // Clamp to what the partitions hold: an id past the end is simply not found.
    const ranges = new Map(
      (
        await partitionRanges(this.options.kafka, [
          ...new Set([...spans.values()].map((s) => s.topic)),
        ])
      ).map((r) => [`${r.topic}:${r.partition}`, r]),
    );
    const windows: ReadWindow[] = [];
    for (const [key, span] of spans) {
      const range = ranges.get(key);
      if (!range) continue;
      const from = span.from < range.low ? range.low : span.from;
      const to = span.to > range.high ? range.high : span.to;
      if (to > from) windows.push({ ...span, from, to });
    }
    const found = new Map<string, { letter: DeadLetter; value?: Buffer }>();
    await readWindows(this.options.kafka, windows, ({ topic, partition, message }) => {
      const entry = decodeDlqEntry(topic, partition, message);
      if (entry.kind === 'letter' && wanted.has(entry.letter.id))
        found.set(entry.letter.id, {
          letter: entry.letter,
          value: withValues ? entry.value : undefined,
        });
    });
    return found;
  }

  private async replayOne(letter: DeadLetter, value: Buffer): Promise<void> {
    const producer = await this.producer();
    const now = new Date().toISOString();
    const retryTopic = (this.options.retryTopicOf ?? retryTopicOf)(letter.group);
    await producer.send({
      topic: retryTopic,
      key: letter.key ?? letter.id,
      value,
      headers: {
        ...letter.headers,
        ...encodeFailureHeaders({
          sourceTopic: letter.sourceTopic,
          sourcePartition: letter.sourcePartition,
          sourceOffset: letter.sourceOffset,
          attempts: 0,
          firstFailureAt: letter.firstFailureAt,
          lastFailureAt: letter.deadLetteredAt,
          errorType: letter.error.type,
          errorMessage: letter.error.message,
          group: letter.group,
          consumerGroup: letter.consumerGroup,
          notBefore: now,
          replayedFrom: letter.id,
        }),
      },
    });
    const dlqTopic = parseDeadLetterId(letter.id)!.topic;
    await producer.send({
      topic: dlqTopic,
      key: letter.id,
      value: Buffer.alloc(0),
      headers: {
        [FailureHeader.ReplayOf]: letter.id,
        [FailureHeader.Group]: letter.group,
        [REPLAYED_AT_HEADER]: now,
      },
    });
    this.metrics?.replayed.inc({ group: letter.group });
    this.logger.info(
      { id: letter.id, group: letter.group, sourceTopic: letter.sourceTopic, to: retryTopic },
      'dead letter replayed',
    );
  }

  private async topics(): Promise<string[]> {
    if (this.options.deadLetterTopics) return [...this.options.deadLetterTopics];
    const admin = this.options.kafka.admin();
    await admin.connect();
    try {
      return (await admin.listTopics()).filter((topic) => topic.endsWith('.dlq')).sort();
    } finally {
      await admin.disconnect();
    }
  }

  private async producer(): Promise<FailurePublisher> {
    if (this.options.producer) return this.options.producer;
    if (!this.ownProducer) {
      this.ownProducer = new BatchingProducer(this.options.kafka, this.logger);
      await this.ownProducer.connect();
    }
    return this.ownProducer;
  }
}
