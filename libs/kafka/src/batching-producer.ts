import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { ProducerLane } from './producer-lane';
import type { BatchingProducerOptions, OutgoingMessage } from './producer-types';

export * from './producer-types';

/**
 * Batches concurrent sends into single produce requests with acks=-1, idempotent.
 *
 * kafkajs has no linger setting, and its idempotent producer allows one request in flight per
 * broker, so sending each webhook on its own caps throughput at one round trip per message. Here
 * every `send` joins a queue; when no request is in flight the queue goes out as one `sendBatch`,
 * and while one is in flight the next batch gathers. Each `send` resolves when the batch holding
 * its message is acknowledged by all in-sync replicas, never before.
 *
 * Timeouts are honest about what happened: a message still queued when its time runs out is
 * dropped from the queue (certainly not written); one already in a request may still land, which
 * the caller hears as `maybeWritten` (consumers deduplicate a later redelivery).
 *
 * kafkajs's idempotent producer has one request in flight per connection, and the broker handles
 * one request per connection at a time, so a single connection caps throughput at one batch per
 * round trip. Keys are therefore hashed over a few lanes, each its own connection, whose requests
 * the broker serves in parallel; a key always maps to the same lane, which keeps per-key order.
 *
 * After a failed request the underlying producer is replaced before the next one, so a broker
 * restart cannot leave it wedged on stale idempotence state (producer id and sequence numbers).
 */
export class BatchingProducer {
  private readonly lanes: ProducerLane[];

  constructor(kafka: Kafka, logger: Logger, options: BatchingProducerOptions = {}) {
    const count = Math.max(1, options.lanes ?? 1);
    this.lanes = Array.from(
      { length: count },
      (_, lane) => new ProducerLane(kafka, logger.child({ lane }), options),
    );
  }

  /** Connects eagerly; failures are not fatal (the next send retries the connection). */
  async connect(): Promise<void> {
    await Promise.all(this.lanes.map((lane) => lane.connect()));
  }

  /** Resolves once Kafka acknowledged the message; rejects with `ProducerUnavailableError`. */
  send(message: OutgoingMessage): Promise<void> {
    return this.lanes[laneOf(message.key, this.lanes.length)].send(message);
  }

  /** Whether every lane's last request succeeded (for readiness). */
  get healthy(): { ok: boolean; lastFailure: string | null } {
    const failing = this.lanes.map((lane) => lane.healthy).find((h) => !h.ok);
    return { ok: !failing, lastFailure: failing?.lastFailure ?? null };
  }

  get queuedMessages(): number {
    return this.lanes.reduce((sum, lane) => sum + lane.queuedMessages, 0);
  }

  /** Sends what is queued, waits for it, then disconnects. New sends are refused from here on. */
  async close(): Promise<void> {
    await Promise.all(this.lanes.map((lane) => lane.close()));
  }
}

/** FNV-1a over the key's UTF-16 code units: cheap, stable, well spread for short keys. */
export function laneOf(key: string, lanes: number): number {
  if (lanes === 1) return 0;
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % lanes;
}
