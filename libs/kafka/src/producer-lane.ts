import { Partitioners, type Kafka, type Message, type Producer, type TopicMessages } from 'kafkajs';
import type { Logger } from 'pino';
import {
  ProducerUnavailableError,
  type BatchingProducerOptions,
  type OutgoingMessage,
} from './producer-types';

type PendingState = 'queued' | 'sending' | 'settled';

interface Pending {
  message: OutgoingMessage;
  state: PendingState;
  resolve: () => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * One connection's worth of batching: a queue, at most one produce request in flight, and the
 * kafkajs idempotent producer behind it. `BatchingProducer` spreads keys over several lanes.
 */
export class ProducerLane {
  private readonly maxBatch: number;
  private readonly maxBatchBytes: number;
  private readonly lingerMs: number;
  private readonly ackTimeoutMs: number;
  private queue: Pending[] = [];
  private inFlight: Promise<void> | null = null;
  private lingerTimer: NodeJS.Timeout | null = null;
  private flushScheduled = false;
  private producer: Producer | null = null;
  private connecting: Promise<Producer> | null = null;
  private needsReset = false;
  private closed = false;
  private lastSuccessAt = 0;
  private lastFailure: string | null = null;

  constructor(
    private readonly kafka: Kafka,
    private readonly logger: Logger,
    private readonly options: BatchingProducerOptions = {},
  ) {
    this.maxBatch = options.maxBatchMessages ?? 1000;
    this.maxBatchBytes = options.maxBatchBytes ?? 900 * 1024;
    this.lingerMs = options.lingerMs ?? 0;
    this.ackTimeoutMs = options.ackTimeoutMs ?? 2000;
  }

  /** Connects eagerly; failures are not fatal (the next send retries the connection). */
  async connect(): Promise<void> {
    await this.ensureProducer();
  }

  /** Resolves once Kafka acknowledged the message; rejects with `ProducerUnavailableError`. */
  send(message: OutgoingMessage): Promise<void> {
    if (this.closed) {
      return Promise.reject(new ProducerUnavailableError('producer is shutting down', false));
    }
    return new Promise<void>((resolve, reject) => {
      const pending: Pending = {
        message,
        state: 'queued',
        resolve,
        reject,
        timer: setTimeout(() => this.expire(pending), this.ackTimeoutMs),
      };
      this.queue.push(pending);
      this.schedule();
    });
  }

  /** Whether the last request succeeded (for readiness). */
  get healthy(): { ok: boolean; lastFailure: string | null; lastSuccessAt: number } {
    return {
      ok: !this.needsReset,
      lastFailure: this.lastFailure,
      lastSuccessAt: this.lastSuccessAt,
    };
  }

  get queuedMessages(): number {
    return this.queue.length;
  }

  /** Sends what is queued, waits for it, then disconnects. New sends are refused from here on. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    while (this.inFlight || this.queue.some((p) => p.state === 'queued')) {
      if (!this.inFlight) this.flush();
      await this.inFlight;
    }
    await this.producer?.disconnect().catch(() => undefined);
    this.producer = null;
  }

  private expire(pending: Pending): void {
    if (pending.state === 'settled') return;
    const maybeWritten = pending.state === 'sending';
    pending.state = 'settled';
    pending.reject(
      new ProducerUnavailableError(
        maybeWritten
          ? `Kafka did not acknowledge within ${this.ackTimeoutMs} ms`
          : `Kafka could not take the write within ${this.ackTimeoutMs} ms`,
        maybeWritten,
      ),
    );
  }

  private schedule(): void {
    if (this.inFlight) return; // the in-flight request's completion sends the next batch
    const queued = this.queue.length;
    if (queued >= this.maxBatch || this.lingerMs === 0) {
      // setImmediate: sends arriving in the same turn of the event loop share a request.
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => {
          this.flushScheduled = false;
          this.flush();
        });
      }
      return;
    }
    if (!this.lingerTimer) {
      this.lingerTimer = setTimeout(() => {
        this.lingerTimer = null;
        this.flush();
      }, this.lingerMs);
    }
  }

  private flush(): void {
    if (this.inFlight) return;
    if (this.lingerTimer) {
      clearTimeout(this.lingerTimer);
      this.lingerTimer = null;
    }
    // Drop messages whose caller already gave up: they were never sent, so they are not written.
    this.queue = this.queue.filter((p) => p.state === 'queued');
    if (this.queue.length === 0) return;
    let count = 0;
    let bytes = 0;
    while (count < this.queue.length && count < this.maxBatch) {
      const size = this.queue[count].message.value.length;
      if (count > 0 && bytes + size > this.maxBatchBytes) break;
      bytes += size;
      count++;
    }
    const batch = this.queue.splice(0, count);
    for (const pending of batch) pending.state = 'sending';
    this.inFlight = this.sendBatch(batch).finally(() => {
      this.inFlight = null;
      if (this.queue.length > 0) this.flush();
    });
  }

  private async sendBatch(batch: Pending[]): Promise<void> {
    const started = performance.now();
    let ok = false;
    try {
      const producer = await this.ensureProducer();
      await producer.sendBatch({
        topicMessages: groupByTopic(batch),
        acks: -1,
        timeout: this.ackTimeoutMs,
      });
      ok = true;
      this.lastSuccessAt = Date.now();
      this.lastFailure = null;
      for (const pending of batch) {
        if (pending.state !== 'sending') continue; // timed out meanwhile; it is in Kafka anyway
        pending.state = 'settled';
        clearTimeout(pending.timer);
        pending.resolve();
      }
    } catch (error) {
      this.needsReset = true;
      this.lastFailure = (error as Error).message;
      this.logger.warn({ err: error, messages: batch.length }, 'produce request failed');
      for (const pending of batch) {
        if (pending.state !== 'sending') continue;
        pending.state = 'settled';
        clearTimeout(pending.timer);
        pending.reject(
          new ProducerUnavailableError(`Kafka write failed: ${(error as Error).message}`, true),
        );
      }
    } finally {
      this.options.onBatch?.({
        messages: batch.length,
        durationMs: performance.now() - started,
        ok,
      });
    }
  }

  private async ensureProducer(): Promise<Producer> {
    if (this.needsReset && this.producer) {
      const stale = this.producer;
      this.producer = null;
      await stale.disconnect().catch(() => undefined);
    }
    if (this.producer) return this.producer;
    this.connecting ??= (async () => {
      const producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        // kafkajs 2's default (Java-compatible murmur2) partitioner, named so it does not warn.
        createPartitioner: Partitioners.DefaultPartitioner,
        allowAutoTopicCreation: false,
        // A request is retried a little within the caller's time budget; beyond it the caller
        // answers 503 and Shopify's own retry schedule takes over.
        retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 },
      });
      try {
        await producer.connect();
      } catch (error) {
        await producer.disconnect().catch(() => undefined);
        throw error;
      }
      this.producer = producer;
      this.needsReset = false;
      return producer;
    })().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }
}

function groupByTopic(batch: Pending[]): TopicMessages[] {
  const byTopic = new Map<string, Message[]>();
  for (const { message } of batch) {
    let messages = byTopic.get(message.topic);
    if (!messages) byTopic.set(message.topic, (messages = []));
    messages.push({ key: message.key, value: message.value, headers: message.headers });
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}
