import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { KafkaMessage } from 'kafkajs';
import type { ChunkContext } from '../consumer-runner-types';

/** What `@ConsumeChunks` declares: the logical group and the topics its handler reads. */
export interface ConsumeChunksOptions {
  /**
   * Logical consumer group (`ConsumerGroup.*`): names the retry topic, labels the metrics and
   * is the key of the transport's per-group tuning (where the real group id may differ, e.g. in
   * tests).
   */
  group: string;
  topics: readonly string[];
}

/** The Nest event pattern of a chunk handler: one pattern (and one consumer) per group. */
export function chunkPattern(group: string): string {
  return `shopwire.chunks:${group}`;
}

/** Where the transport finds the options among a handler's Nest `extras`. */
export const CONSUME_CHUNKS_EXTRAS = 'shopwireChunks';

/**
 * One chunk as its handler sees it: where it came from (`ChunkContext`) and the two outcomes a
 * handler reports for messages it does not apply. Both are counted by the transport only when the
 * handler resolves (a retried attempt does not count twice).
 */
export interface ConsumerChunk extends ChunkContext {
  /** Messages with nothing for this consumer (e.g. `orders/…` families it does not store). */
  ignored(reason: string, count?: number): void;
  /**
   * A message that is not readable for its topic: counted and sent to the DLQ with `reason`
   * (`deadLetterMalformed`) once the rest of the chunk has committed. Returns false only when
   * the consumer has no dead letters (not the case under the transport).
   */
  rejected(message: KafkaMessage, reason: string, detail?: string): boolean;
}

/** A handler's outcome as it crosses Nest's RPC proxy (see `ConsumeChunks`). */
export type ChunkHandlerOutcome = { ok: true } | { ok: false; error: unknown };

export function isChunkHandlerOutcome(value: unknown): value is ChunkHandlerOutcome {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { ok?: unknown }).ok === 'boolean'
  );
}

/**
 * Declares a controller method as the chunk handler of a consumer group:
 * `@ConsumeChunks({ group, topics }) handle(messages: KafkaMessage[], chunk: ConsumerChunk)`.
 * It must make the chunk durable (one transaction with the inbox) before it resolves; throwing
 * means nothing of the chunk is durable (see `ChunkHandler`).
 *
 * Built on `@EventPattern`, so Nest discovers it like any microservice handler. The method is
 * wrapped to hand its error back as a value: Nest's RPC exception filter would otherwise log the
 * raw error (a database error carries the query's parameters — customer data) and replace it by
 * "Internal server error", and the runner needs the original to tell an outage from a poison
 * message.
 */
export function ConsumeChunks(options: ConsumeChunksOptions): MethodDecorator {
  return (target, key, descriptor: PropertyDescriptor) => {
    const handler = descriptor.value as (...args: unknown[]) => Promise<unknown>;
    descriptor.value = async function handleChunk(
      this: unknown,
      ...args: unknown[]
    ): Promise<ChunkHandlerOutcome> {
      try {
        await handler.apply(this, args);
        return { ok: true };
      } catch (error) {
        return { ok: false, error };
      }
    };
    Object.defineProperty(descriptor.value, 'name', { value: String(key) });
    // Nest passes an event handler only its payload unless told where the context goes.
    Payload()(target, key, 0);
    Ctx()(target, key, 1);
    EventPattern(chunkPattern(options.group), {
      [CONSUME_CHUNKS_EXTRAS]: { group: options.group, topics: [...options.topics] },
    })(target, key, descriptor);
    return descriptor;
  };
}
