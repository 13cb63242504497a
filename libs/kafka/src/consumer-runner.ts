import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';

/** Where a chunk of messages came from. */
export interface ChunkContext {
  topic: string;
  partition: number;
}

/**
 * Applies a chunk of one partition's messages, in offset order. The runner commits the offset
 * after the last message of the chunk only once this resolves, so the handler must make its
 * effects durable (one database transaction per chunk) before resolving. Throwing means "nothing
 * of this chunk is durable": the chunk is retried in place. A message the handler can never apply
 * (malformed, not for this consumer) must be dealt with inside the handler — counted, logged,
 * and skipped — or it would block its partition.
 */
export type ChunkHandler = (messages: KafkaMessage[], context: ChunkContext) => Promise<void>;

/** Hooks for metrics; each is optional and must not throw. */
export interface ConsumerRunnerHooks {
  /** A chunk was applied and its offset committed. */
  processed?(count: number, context: ChunkContext): void;
  /** How long one handler attempt took, successful or not. */
  handlerDuration?(seconds: number, ok: boolean, context: ChunkContext): void;
  /** A failed chunk is about to be retried after `delayMs`. */
  retry?(attempt: number, delayMs: number, context: ChunkContext): void;
}

export interface ConsumerRunnerOptions {
  kafka: Kafka;
  groupId: string;
  topics: string[];
  logger: Logger;
  handleBatch: ChunkHandler;
  /** Partitions handled at the same time (each still strictly in order). */
  partitionsConcurrently?: number;
  /** Most messages handed to one handler call (one transaction). */
  maxChunk?: number;
  /** First and largest delay between attempts of a failing chunk. */
  retryBaseMs?: number;
  retryCapMs?: number;
  /** Where a group without committed offsets starts. Default: the beginning (lose nothing). */
  fromBeginning?: boolean;
  sessionTimeoutMs?: number;
  hooks?: ConsumerRunnerHooks;
}

export interface ConsumerRunnerStatus {
  running: boolean;
  /** Joined its group and holds an assignment (possibly empty). */
  joined: boolean;
  lastError: string | null;
}

const DEFAULT_MAX_CHUNK = 200;
// How often a waiting retry loop gives kafkajs a chance to heartbeat; kafkajs itself only sends
// one when its heartbeat interval has passed, so calling it often is cheap.
const HEARTBEAT_SLICE_MS = 1000;

/** The offset to commit after `offset` was applied: offset + 1, exact beyond 2^53. */
export function nextOffset(offset: string): string {
  return (BigInt(offset) + 1n).toString();
}

/**
 * Exponential backoff with full jitter: a uniform delay in [0, min(cap, base·2^(attempt-1))].
 * Full jitter spreads replicas that failed together (a database blip) instead of having them
 * retry in lockstep.
 */
export function backoffDelay(
  attempt: number,
  baseMs: number,
  capMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

export function chunksOf<T>(items: readonly T[], size: number): T[][] {
  if (size < 1) throw new RangeError('chunk size must be at least 1');
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

interface BatchControls {
  heartbeat(): Promise<void>;
  commit(context: ChunkContext, offset: string): Promise<void>;
  isRunning(): boolean;
  isStale(): boolean;
}

/**
 * A kafkajs consumer that gives each message an effect exactly once, together with an inbox in
 * the handler's transaction: the offset is committed only after the handler's transaction
 * committed, and a failing chunk is retried in place — kafkajs never sees the error, so it neither
 * restarts the consumer nor moves past the message. Partitions run concurrently, each in order.
 *
 * Retry topics and a dead-letter topic (issue 3) belong in `applyWithRetry`: once a chunk has
 * failed often enough it can be split to find the poison message and hand that one elsewhere.
 */
export class ConsumerRunner {
  private consumer: Consumer | null = null;
  private joined = false;
  private lastError: string | null = null;
  private stopping = false;

  constructor(private readonly options: ConsumerRunnerOptions) {}

  get status(): ConsumerRunnerStatus {
    return {
      running: this.consumer !== null && !this.stopping,
      joined: this.joined,
      lastError: this.lastError,
    };
  }

  async start(): Promise<void> {
    if (this.consumer) return;
    const { kafka, groupId, topics, logger } = this.options;
    this.stopping = false;
    const consumer = kafka.consumer({
      groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: this.options.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: 3000,
      // An idle fetch returns after this long; stop() waits for it, so it bounds shutdown time.
      maxWaitTimeInMs: 1000,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      this.joined = true;
      this.lastError = null;
      logger.info({ groupId, memberId: event.payload.memberId }, 'joined consumer group');
    });
    consumer.on(consumer.events.CRASH, (event) => {
      this.joined = false;
      this.lastError = event.payload.error.message;
      logger.warn(
        { groupId, err: briefError(event.payload.error), restart: event.payload.restart },
        'consumer crashed',
      );
    });
    consumer.on(consumer.events.STOP, () => {
      this.joined = false;
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topics, fromBeginning: this.options.fromBeginning ?? true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: this.options.partitionsConcurrently ?? 1,
        eachBatch: ({
          batch,
          heartbeat,
          isRunning,
          isStale,
          resolveOffset,
          commitOffsetsIfNecessary,
        }) =>
          this.consumeBatch(
            { topic: batch.topic, partition: batch.partition },
            batch.messages,
            {
              heartbeat,
              isRunning,
              isStale,
              // Not `consumer.commitOffsets`: kafkajs makes that a silent no-op once stop() has
              // begun, so the in-flight chunk's commit would be lost and the chunk redelivered.
              // Given explicit offsets, this commits them as they are, stopping or not.
              commit: ({ topic, partition }, offset) =>
                commitOffsetsIfNecessary({
                  topics: [{ topic, partitions: [{ partition, offset }] }],
                }),
            },
            resolveOffset,
          ),
      });
    } catch (error) {
      this.consumer = null;
      await consumer.disconnect().catch(() => undefined);
      throw error;
    }
  }

  /**
   * Stops fetching, lets each partition's in-flight chunk finish and commit, leaves the group and
   * disconnects. A chunk that is failing and waiting for a retry is abandoned uncommitted; it is
   * redelivered to whoever takes over the partition.
   */
  async stop(): Promise<void> {
    const consumer = this.consumer;
    if (!consumer) return;
    this.stopping = true;
    try {
      await consumer.disconnect(); // kafkajs: stop the runner (awaiting eachBatch), leave, close
    } finally {
      this.consumer = null;
      this.joined = false;
      this.stopping = false;
    }
  }

  private async consumeBatch(
    context: ChunkContext,
    messages: KafkaMessage[],
    controls: BatchControls,
    resolveOffset: (offset: string) => void,
  ): Promise<void> {
    for (const chunk of chunksOf(messages, this.options.maxChunk ?? DEFAULT_MAX_CHUNK)) {
      if (!controls.isRunning() || controls.isStale()) return;
      const applied = await this.applyWithRetry(chunk, context, controls);
      if (!applied) return;
      const last = chunk[chunk.length - 1].offset;
      await controls.commit(context, nextOffset(last));
      resolveOffset(last);
      this.options.hooks?.processed?.(chunk.length, context);
      await controls.heartbeat();
    }
  }

  /** true once the handler resolved; false when the chunk was abandoned (stopping, or stale). */
  private async applyWithRetry(
    chunk: KafkaMessage[],
    context: ChunkContext,
    controls: BatchControls,
  ): Promise<boolean> {
    const { handleBatch, hooks, logger } = this.options;
    for (let attempt = 1; ; attempt++) {
      const started = performance.now();
      try {
        await handleBatch(chunk, context);
        hooks?.handlerDuration?.((performance.now() - started) / 1000, true, context);
        return true;
      } catch (error) {
        hooks?.handlerDuration?.((performance.now() - started) / 1000, false, context);
        const delayMs = backoffDelay(
          attempt,
          this.options.retryBaseMs ?? 100,
          this.options.retryCapMs ?? 5000,
        );
        logger.warn(
          {
            err: briefError(error),
            ...context,
            firstOffset: chunk[0].offset,
            messages: chunk.length,
            attempt,
            delayMs,
          },
          'chunk handler failed; retrying in place',
        );
        hooks?.retry?.(attempt, delayMs, context);
        if (!(await this.waitUnlessAbandoned(delayMs, controls))) return false;
      }
    }
  }

  /** Sleeps in slices, heartbeating, so a long retry neither loses the group nor delays a stop. */
  private async waitUnlessAbandoned(delayMs: number, controls: BatchControls): Promise<boolean> {
    const until = Date.now() + delayMs;
    for (;;) {
      if (!controls.isRunning() || controls.isStale()) return false;
      const left = until - Date.now();
      if (left <= 0) return true;
      await sleep(Math.min(left, HEARTBEAT_SLICE_MS));
      await controls.heartbeat();
    }
  }
}

/**
 * What a retry log line says about the error. Not the error object itself: database errors carry
 * the failed query's parameters, which hold customer data.
 */
export function briefError(error: unknown): { type: string; message: string; code?: string } {
  if (!(error instanceof Error)) return { type: typeof error, message: 'non-error thrown' };
  const code = (error as { code?: unknown }).code;
  return {
    type: error.name,
    message: error.message.slice(0, 300),
    ...(typeof code === 'string' || typeof code === 'number' ? { code: String(code) } : {}),
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
