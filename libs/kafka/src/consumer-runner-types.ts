import type { Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import type { MalformedMessageError } from './failure-classification';
import type { DeadLetterOptions, FailureOrigin, RouteResult } from './failure-router';

/** Where a chunk of messages came from. */
export interface ChunkContext {
  /** The source topic — also for a message re-run from the retry topic. */
  topic: string;
  partition: number;
  /** Set when the chunk is one message re-run from the group's retry topic. */
  redelivery?: {
    /** Delivery rounds that failed before this one. */
    attempts: number;
    retryTopic: string;
    retryPartition: number;
    retryOffset: string;
    /** The dead letter this message was replayed from, if it was. */
    replayedFrom?: string;
  };
  /**
   * Only with `deadLetters`: sets a message of this chunk aside as malformed. The handler applies
   * the rest and resolves; the runner then sends the set-aside messages straight to the DLQ with
   * the error's reason (acked) before committing the offset past them.
   */
  deadLetter?: (message: KafkaMessage, error: MalformedMessageError) => void;
}

/**
 * Applies a chunk of one partition's messages, in offset order. The runner commits the offset
 * after the last message of the chunk only once this resolves, so the handler must make its
 * effects durable (one database transaction per chunk) before resolving. Throwing means "nothing
 * of this chunk is durable": the chunk is retried in place. Without `deadLetters`, a message the
 * handler can never apply (malformed, not for this consumer) must be dealt with inside the handler
 * — counted, logged, and skipped — or it would block its partition. With `deadLetters`, throwing
 * `PermanentError` for it sends it to the retry topic and eventually the DLQ instead.
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
  /**
   * A failed message was published (acked) to the retry topic or the DLQ. Awaited before the
   * offset past it is committed, so what it records is there once the message has moved on.
   * `errorClass` names the failure without its message text (which may quote personal data).
   */
  parked?(
    message: KafkaMessage,
    origin: FailureOrigin,
    routed: RouteResult,
    errorClass: string,
  ): Promise<void> | void;
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
  /** A fetch waits for this many bytes (default 64 KiB) or `fetchMaxWaitMs` (default 200). */
  fetchMinBytes?: number;
  fetchMaxWaitMs?: number;
  hooks?: ConsumerRunnerHooks;
  /**
   * Bounded failures: without this a failing chunk is retried in place forever (the behaviour
   * before issue 3). With it, a chunk that keeps failing is split so only its poison messages
   * leave the partition — to the group's retry topic, re-run from there after a delay, and after
   * `maxAttempts` rounds to `<topic>.dlq`. Infrastructure failures (database or broker down) are
   * always retried in place, never parked. The runner subscribes to the retry topic itself.
   */
  deadLetters?: DeadLetterOptions;
}

export interface ConsumerRunnerStatus {
  running: boolean;
  /** Joined its group and holds an assignment (possibly empty). */
  joined: boolean;
  lastError: string | null;
  /** While joined: the member id and the assignment the group's last join gave it. */
  member?: { memberId: string; assignment: Record<string, number[]> };
}
