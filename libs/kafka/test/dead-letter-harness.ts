import { deadLetterTopicOf, retryTopicOf } from '@shopwire/contracts';
import { testKafka } from '@shopwire/testing';
import type { Admin, Kafka } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { BatchingProducer } from '../src/batching-producer';
import type { FailurePublisher } from '../src/failure-router';
import type { OutgoingMessage } from '../src/producer-types';
import { provisionTopics } from '../src/topic-provisioning';

export const quietLogger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/**
 * Throwaway topics for one test file: a source topic, its DLQ and a group's retry topic, all
 * named after a fresh id (created here, deleted in `close`, never anybody else's).
 */
export class DeadLetterTopics {
  readonly id = randomUUID().slice(0, 8);
  readonly group = `dlqtest-${this.id}`;
  readonly source = `dlqtest.${this.id}.events.v1`;
  readonly deadLetters = deadLetterTopicOf(this.source);
  readonly retry = retryTopicOf(this.group);
  readonly kafka: Kafka = testKafka(`dlq-test-${this.id}`);
  admin!: Admin;

  async create(partitions = 1): Promise<void> {
    this.admin = this.kafka.admin();
    await this.admin.connect();
    await provisionTopics(
      this.admin,
      [this.source, this.deadLetters, this.retry].map((topic) => ({
        topic,
        partitions,
        replicationFactor: 1,
      })),
    );
  }

  async close(): Promise<void> {
    await this.admin
      .deleteTopics({ topics: [this.source, this.deadLetters, this.retry] })
      .catch(() => undefined);
    await this.admin.disconnect();
  }

  /** The next offset the group will read per partition of `topic` ('-1' when none committed). */
  async committed(groupId: string, topic: string): Promise<Map<number, string>> {
    const [offsets] = await this.admin.fetchOffsets({ groupId, topics: [topic] });
    return new Map(offsets.partitions.map((p) => [p.partition, p.offset]));
  }

  async produce(
    messages: { key: string; value: string; headers?: Record<string, string> }[],
  ): Promise<void> {
    const producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({ topic: this.source, acks: -1, messages });
    await producer.disconnect();
  }
}

/** A `BatchingProducer` that also remembers when each parked message was acknowledged. */
export class RecordingPublisher implements FailurePublisher {
  readonly sent: { topic: string; at: number; message: OutgoingMessage }[] = [];
  readonly producer: BatchingProducer;

  constructor(kafka: Kafka) {
    this.producer = new BatchingProducer(kafka, quietLogger);
  }

  async send(message: OutgoingMessage): Promise<void> {
    await this.producer.send(message);
    this.sent.push({ topic: message.topic, at: Date.now(), message });
  }

  to(topic: string): { at: number; message: OutgoingMessage }[] {
    return this.sent.filter((s) => s.topic === topic);
  }
}
