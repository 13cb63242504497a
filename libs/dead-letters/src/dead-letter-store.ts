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
import { readTopicsToEnd } from './dlq-reader';

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
}

export type ReplaySelection =
  { ids: readonly string[]; force?: boolean } | { filter: DeadLetterFilter; force?: boolean };

export interface ReplayResult {
  replayed: string[];
  skipped: { id: string; reason: 'not found' | 'already replayed' }[];
}

interface Scan {
  letters: DeadLetter[];
  values: Map<string, Buffer>;
}

/**
 * Dead letters, read straight from the DLQ topics (Kafka is the store: nothing to migrate, and the
 * ops CLI and every service's API see the same thing). A replay republishes the original bytes and
 * headers to the failing group's retry topic with the attempt count reset — so it runs through
 * the same idempotent handler and inbox — and then appends a replay marker (empty value, header
 * `x-shopwire-replay-of`) to the same DLQ topic. A dead letter with a marker counts as replayed,
 * and "replay all" skips it. A crash between the two writes replays it again next time, which the
 * handler's inbox absorbs.
 */
export class DeadLetterStore {
  private ownProducer: BatchingProducer | null = null;
  private readonly metrics: DeadLetterMetrics | null;
  private readonly logger: Logger;

  constructor(private readonly options: DeadLetterStoreOptions) {
    this.metrics = options.registry ? new DeadLetterMetrics(options.registry) : null;
    this.logger = options.logger ?? pino({ level: 'silent' });
  }

  async list(filter: DeadLetterFilter = {}): Promise<DeadLetter[]> {
    const { letters } = await this.scan();
    return letters.filter((letter) => matchesFilter(letter, filter));
  }

  /** One dead letter; with `payload`, its original bytes too. null when there is no such letter. */
  async get(
    id: string,
    options: { payload?: boolean } = {},
  ): Promise<(DeadLetter & { payload?: DeadLetterPayload }) | null> {
    const where = parseDeadLetterId(id);
    if (!where || !(await this.topics()).includes(where.topic)) return null;
    const { letters, values } = await this.scan([where.topic]);
    const letter = letters.find((l) => l.id === id);
    if (!letter) return null;
    return options.payload ? { ...letter, payload: encodePayload(values.get(id)!) } : letter;
  }

  async replay(selection: ReplaySelection, scope: DeadLetterFilter = {}): Promise<ReplayResult> {
    const { letters, values } = await this.scan();
    const inScope = letters.filter((letter) => matchesFilter(letter, scope));
    const result: ReplayResult = { replayed: [], skipped: [] };
    let chosen: DeadLetter[];
    if ('ids' in selection) {
      chosen = [];
      for (const id of new Set(selection.ids)) {
        const letter = inScope.find((l) => l.id === id);
        if (letter) chosen.push(letter);
        else result.skipped.push({ id, reason: 'not found' });
      }
    } else {
      chosen = inScope.filter((letter) => matchesFilter(letter, selection.filter));
    }
    for (const letter of chosen) {
      if (letter.replayedAt && !selection.force) {
        result.skipped.push({ id: letter.id, reason: 'already replayed' });
        continue;
      }
      await this.replayOne(letter, values.get(letter.id)!);
      result.replayed.push(letter.id);
    }
    return result;
  }

  async close(): Promise<void> {
    await this.ownProducer?.close();
    this.ownProducer = null;
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

  /** Reads the DLQ topics; also refreshes the pending-depth gauge of every group seen. */
  private async scan(only?: string[]): Promise<Scan> {
    const read = await readTopicsToEnd(this.options.kafka, only ?? (await this.topics()));
    const letters: DeadLetter[] = [];
    const values = new Map<string, Buffer>();
    const replayedAt = new Map<string, string>();
    for (const { topic, partition, message } of read) {
      const entry = decodeDlqEntry(topic, partition, message);
      if (entry.kind === 'letter') {
        letters.push(entry.letter);
        values.set(entry.letter.id, entry.value);
      } else if (entry.kind === 'marker') {
        const previous = replayedAt.get(entry.replayOf);
        if (!previous || previous < entry.replayedAt)
          replayedAt.set(entry.replayOf, entry.replayedAt);
      }
    }
    for (const letter of letters) letter.replayedAt = replayedAt.get(letter.id) ?? null;
    letters.sort((a, b) => a.deadLetteredAt.localeCompare(b.deadLetteredAt));
    if (!only) this.metrics?.observeDepth(letters);
    return { letters, values };
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
