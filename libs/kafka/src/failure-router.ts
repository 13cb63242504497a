import { deadLetterTopicOf, retryTopicOf } from '@shopwire/contracts';
import type { KafkaMessage } from 'kafkajs';
import type { Registry } from 'prom-client';
import {
  encodeFailureHeaders,
  originalHeaders,
  retryDelayMs,
  type FailureInfo,
} from './dead-letter-headers';
import { ConsumerFailureMetrics } from './failure-metrics';
import type { OutgoingMessage } from './producer-types';

/** What the runner needs to park a message: `BatchingProducer` fits, as does any acked sender. */
export interface FailurePublisher {
  /** Resolves only once Kafka acknowledged the write (acks=all). */
  send(message: OutgoingMessage): Promise<void>;
}

/** Turns on retry topics and dead letters in `ConsumerRunner`. */
export interface DeadLetterOptions {
  /** Logical consumer group, e.g. `order`: names the retry topic and is recorded on dead letters. */
  group: string;
  producer: FailurePublisher;
  /** Handler attempts per delivery round before the message leaves the partition. Default 3. */
  inPlaceAttempts?: number;
  /** Delivery rounds (first delivery + retry-topic re-runs) before the DLQ. Default 5. */
  maxAttempts?: number;
  /** Delay before the first re-run from the retry topic; doubles per round. Default 1 s. */
  retryDelayBaseMs?: number;
  /** Largest delay between re-runs. Default 5 min. */
  retryDelayCapMs?: number;
  /** Default `retryTopicOf(group)`. */
  retryTopic?: string;
  /** Default `deadLetterTopicOf` (`<topic>.dlq`). */
  deadLetterTopicOf?: (sourceTopic: string) => string;
  /** Registers the failure-path counters (`shopwire_consumer_*`) on this registry. */
  registry?: Registry;
  /** Replaces the built-in `isInfrastructureError`. */
  isInfrastructureError?: (error: unknown) => boolean;
}

export interface RouteResult {
  destination: 'retry' | 'dead-letter';
  topic: string;
  attempts: number;
}

/** Where a source message failed (for a first failure) — the source topic's own coordinates. */
export interface FailureOrigin {
  topic: string;
  partition: number;
  offset: string;
}

/** Publishes a failed message to the group's retry topic, or to the DLQ once its rounds are spent. */
export class FailureRouter {
  readonly retryTopic: string;
  readonly metrics: ConsumerFailureMetrics | null;
  private readonly maxAttempts: number;

  constructor(
    private readonly options: DeadLetterOptions,
    private readonly consumerGroup: string,
    private readonly now: () => number = Date.now,
  ) {
    this.retryTopic = options.retryTopic ?? retryTopicOf(options.group);
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 5);
    this.metrics = options.registry ? new ConsumerFailureMetrics(options.registry) : null;
  }

  /**
   * `previous` is the failure record of a message re-run from the retry topic (null for a first
   * failure). Resolves once the broker acknowledged the write; the caller commits after that.
   */
  async route(
    message: KafkaMessage,
    origin: FailureOrigin,
    previous: FailureInfo | null,
    error: { type: string; message: string },
    /** `deadLetterReason`: straight to the DLQ, whatever the rounds so far (a malformed message). */
    options: { deadLetterReason?: string } = {},
  ): Promise<RouteResult> {
    const now = this.now();
    const attempts = (previous?.attempts ?? 0) + 1;
    const info: FailureInfo = {
      sourceTopic: previous?.sourceTopic ?? origin.topic,
      sourcePartition: previous?.sourcePartition ?? origin.partition,
      sourceOffset: previous?.sourceOffset ?? origin.offset,
      attempts,
      firstFailureAt: previous?.firstFailureAt || new Date(now).toISOString(),
      lastFailureAt: new Date(now).toISOString(),
      errorType: error.type.slice(0, 100),
      errorMessage: error.message.slice(0, 300),
      group: this.options.group,
      consumerGroup: this.consumerGroup,
      replayedFrom: previous?.replayedFrom,
    };
    if (options.deadLetterReason) info.deadLetterReason = options.deadLetterReason.slice(0, 100);
    const dead = attempts >= this.maxAttempts || options.deadLetterReason !== undefined;
    if (dead) {
      info.deadLetteredAt = info.lastFailureAt;
    } else {
      const delay = retryDelayMs(
        attempts,
        this.options.retryDelayBaseMs ?? 1000,
        this.options.retryDelayCapMs ?? 300_000,
      );
      info.notBefore = new Date(now + delay).toISOString();
    }
    const topic = dead
      ? (this.options.deadLetterTopicOf ?? deadLetterTopicOf)(info.sourceTopic)
      : this.retryTopic;
    await this.options.producer.send({
      topic,
      // Same key, same retry partition: one resource's failures stay in order among themselves.
      key:
        message.key?.toString() ??
        `${info.sourceTopic}:${info.sourcePartition}:${info.sourceOffset}`,
      value: message.value ?? Buffer.alloc(0),
      headers: { ...originalHeaders(message.headers), ...encodeFailureHeaders(info) },
    });
    const labels = { group: this.options.group, topic: info.sourceTopic };
    if (dead) this.metrics?.deadLettered.inc(labels);
    else this.metrics?.sentToRetry.inc(labels);
    return { destination: dead ? 'dead-letter' : 'retry', topic, attempts };
  }
}
