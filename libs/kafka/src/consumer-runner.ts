import type { Consumer, KafkaMessage } from 'kafkajs';
import { asSourceMessage, decodeFailureHeaders, type FailureInfo } from './dead-letter-headers';
import {
  isInfrastructureError,
  isPermanentError,
  MalformedMessageError,
} from './failure-classification';
import { FailureRouter, type FailureOrigin, type RouteResult } from './failure-router';

import {
  backoffDelay,
  briefError,
  chunksOf,
  heartbeatIntervalFor,
  nextOffset,
  sleep,
} from './consumer-helpers';
import { startChunkSpans } from './consumer-tracing';

import type {
  ChunkContext,
  ConsumerRunnerOptions,
  ConsumerRunnerStatus,
} from './consumer-runner-types';

export { backoffDelay, briefError, chunksOf, nextOffset } from './consumer-helpers';
export * from './consumer-runner-types';

const DEFAULT_MAX_CHUNK = 200;
// How often a waiting retry loop gives kafkajs a chance to heartbeat; kafkajs itself only sends
// one when its heartbeat interval has passed, so calling it often is cheap.
const HEARTBEAT_SLICE_MS = 1000;

interface BatchControls {
  heartbeat(): Promise<void>;
  commit(context: ChunkContext, offset: string): Promise<void>;
  isRunning(): boolean;
  isStale(): boolean;
  resolveOffset(offset: string): void;
  /** Pauses this partition; call the returned function to resume it. */
  pause(): () => void;
  /** The partition's end when the batch was fetched, for the lag gauge. */
  highWatermark: string;
}

/** A message the handler set aside as malformed (`ChunkContext.deadLetter`), to park after it. */
interface SetAside {
  message: KafkaMessage;
  error: MalformedMessageError;
}

type Attempt =
  { kind: 'ok'; setAside: SetAside[] } | { kind: 'abandoned' } | { kind: 'failed'; error: unknown };

// A due time further away than this pauses the retry partition instead of sleeping in the batch.
const PAUSE_THRESHOLD_MS = 250;

/**
 * A kafkajs consumer that gives each message an effect exactly once, together with an inbox in
 * the handler's transaction: the offset is committed only after the handler's transaction
 * committed, and a failing chunk is retried in place — kafkajs never sees the error, so it neither
 * restarts the consumer nor moves past the message. Partitions run concurrently, each in order.
 *
 * With `deadLetters`, see `ConsumerRunnerOptions.deadLetters` and the README: the retry topic is
 * read by the same consumer (same group), and its messages are re-run through the same handler
 * with the source topic in the chunk context.
 */
export class ConsumerRunner {
  private consumer: Consumer | null = null;
  private joined = false;
  /** This member's id and assignment as of its last join (kafkajs's view, for readiness). */
  private member: { memberId: string; assignment: Record<string, number[]> } | null = null;
  private lastError: string | null = null;
  private stopping = false;
  private readonly router: FailureRouter | null;
  private readonly resumeTimers = new Set<NodeJS.Timeout>();

  constructor(private readonly options: ConsumerRunnerOptions) {
    this.router = options.deadLetters
      ? new FailureRouter(options.deadLetters, options.groupId)
      : null;
  }

  get status(): ConsumerRunnerStatus {
    return {
      running: this.consumer !== null && !this.stopping,
      joined: this.joined,
      lastError: this.lastError,
      ...(this.joined && this.member ? { member: this.member } : {}),
    };
  }

  async start(): Promise<void> {
    if (this.consumer) return;
    const { kafka, groupId, topics, logger } = this.options;
    this.stopping = false;
    const consumer = kafka.consumer({
      groupId,
      allowAutoTopicCreation: false,
      // Unset: the client's (createKafkaClient's consumerSessionTimeoutMs), else kafkajs's 30 s.
      ...(this.options.sessionTimeoutMs
        ? {
            sessionTimeout: this.options.sessionTimeoutMs,
            heartbeatInterval: heartbeatIntervalFor(this.options.sessionTimeoutMs),
          }
        : {}),
      // The broker answers a fetch once it has `minBytes` or `maxWaitTimeInMs` has passed. With
      // kafkajs's default of 1 byte a busy consumer fetches a few messages at a time and pays a
      // transaction, an offset commit and a heartbeat for each handful; waiting for 64 KiB (about
      // 15 orders) or 200 ms made the whole pipeline ~20 % cheaper per order and, by freeing CPU,
      // faster end to end (docs/benchmarks.md). An idle fetch returns after the wait; stop()
      // waits for it, so it also bounds shutdown time.
      minBytes: this.options.fetchMinBytes ?? 64 * 1024,
      maxWaitTimeInMs: this.options.fetchMaxWaitMs ?? 200,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      this.joined = true;
      this.member = {
        memberId: event.payload.memberId,
        assignment: event.payload.memberAssignment,
      };
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
      const subscribed = this.router ? [...topics, this.router.retryTopic] : topics;
      await consumer.subscribe({
        topics: subscribed,
        fromBeginning: this.options.fromBeginning ?? true,
      });
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
          pause,
        }) => {
          const context = { topic: batch.topic, partition: batch.partition };
          const controls: BatchControls = {
            heartbeat,
            isRunning,
            isStale,
            resolveOffset,
            pause,
            highWatermark: batch.highWatermark,
            // Not `consumer.commitOffsets`: kafkajs makes that a silent no-op once stop() has
            // begun, so the in-flight chunk's commit would be lost and the chunk redelivered.
            // Given explicit offsets, this commits them as they are, stopping or not. Always the
            // batch's own topic-partition (a retried message's context names its source).
            commit: (_context, offset) =>
              commitOffsetsIfNecessary({
                topics: [
                  { topic: batch.topic, partitions: [{ partition: batch.partition, offset }] },
                ],
              }),
          };
          return batch.topic === this.router?.retryTopic
            ? this.consumeRetryBatch(context, batch.messages, controls)
            : this.consumeBatch(context, batch.messages, controls);
        },
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
    for (const timer of this.resumeTimers) clearTimeout(timer);
    this.resumeTimers.clear();
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
  ): Promise<void> {
    for (const chunk of chunksOf(messages, this.options.maxChunk ?? DEFAULT_MAX_CHUNK)) {
      if (!controls.isRunning() || controls.isStale()) return;
      const traced = startChunkSpans(chunk, context, this.options.groupId);
      let failure: string | null = 'abandoned';
      try {
        const outcome = await this.attempt(chunk, context, controls);
        if (outcome.kind === 'abandoned') return;
        if (outcome.kind === 'failed') {
          failure = briefError(outcome.error).message;
          if (!(await this.isolatePoison(chunk, context, controls, outcome.error))) return;
          continue;
        }
        if (!(await this.parkSetAside(outcome.setAside, context, null, controls))) return;
        await this.commitThrough(
          chunk[chunk.length - 1].offset,
          chunk.length - outcome.setAside.length,
          context,
          controls,
        );
        failure = null;
      } finally {
        traced.end(failure);
      }
    }
  }

  /**
   * A chunk failed past its in-place retries: re-run it message by message so the good ones
   * commit and only the failing ones are parked. false when abandoned (stopping, rebalanced).
   */
  private async isolatePoison(
    chunk: KafkaMessage[],
    context: ChunkContext,
    controls: BatchControls,
    chunkError: unknown,
  ): Promise<boolean> {
    for (const message of chunk) {
      // A lone message has had its attempts already; a message of a larger chunk gets its own.
      const outcome =
        chunk.length === 1
          ? ({ kind: 'failed', error: chunkError } as const)
          : await this.attempt([message], context, controls);
      if (outcome.kind === 'abandoned') return false;
      if (outcome.kind === 'failed') {
        const origin = { ...context, offset: message.offset };
        if (!(await this.park(message, origin, null, outcome.error, controls))) return false;
      } else if (!(await this.parkSetAside(outcome.setAside, context, null, controls))) {
        return false;
      }
      const applied = outcome.kind === 'ok' && outcome.setAside.length === 0 ? 1 : 0;
      await this.commitThrough(message.offset, applied, context, controls);
    }
    return true;
  }

  /**
   * The retry topic: each message is re-run alone, through the same handler, once its
   * not-before time has come. A message that is not due yet pauses this retry partition (kafkajs
   * keeps heartbeating and the other partitions keep flowing) and is fetched again on resume.
   */
  private async consumeRetryBatch(
    retryContext: ChunkContext,
    messages: KafkaMessage[],
    controls: BatchControls,
  ): Promise<void> {
    const router = this.router!;
    for (const parked of messages) {
      if (!controls.isRunning() || controls.isStale()) return;
      const info = decodeFailureHeaders(parked.headers);
      if (!info || (info.consumerGroup && info.consumerGroup !== this.options.groupId)) {
        // Another group id sharing the logical group's retry topic (e.g. a test group), or not a
        // retry message at all: not ours to run.
        await this.commitThrough(parked.offset, 0, retryContext, controls);
        continue;
      }
      const waitMs = Date.parse(info.notBefore ?? '') - Date.now();
      if (waitMs > PAUSE_THRESHOLD_MS) {
        const resume = controls.pause();
        const timer = setTimeout(() => {
          this.resumeTimers.delete(timer);
          resume();
        }, waitMs);
        this.resumeTimers.add(timer);
        return;
      }
      if (waitMs > 0 && !(await this.waitUnlessAbandoned(waitMs, controls))) return;
      const context: ChunkContext = {
        topic: info.sourceTopic,
        partition: info.sourcePartition,
        redelivery: {
          attempts: info.attempts,
          retryTopic: retryContext.topic,
          retryPartition: retryContext.partition,
          retryOffset: parked.offset,
          replayedFrom: info.replayedFrom,
        },
      };
      const message = asSourceMessage(parked, info);
      const traced = startChunkSpans([message], context, this.options.groupId);
      const outcome = await this.attempt([message], context, controls);
      traced.end(outcome.kind === 'ok' ? null : outcome.kind);
      if (outcome.kind === 'abandoned') return;
      router.metrics?.redelivered.inc({
        group: this.options.deadLetters!.group,
        topic: info.sourceTopic,
        result: outcome.kind,
      });
      if (outcome.kind === 'failed') {
        const origin = {
          topic: info.sourceTopic,
          partition: info.sourcePartition,
          offset: info.sourceOffset,
        };
        if (!(await this.park(message, origin, info, outcome.error, controls))) return;
      } else if (!(await this.parkSetAside(outcome.setAside, context, info, controls))) {
        return;
      }
      const applied = outcome.kind === 'ok' && outcome.setAside.length === 0 ? 1 : 0;
      await this.commitThrough(parked.offset, applied, context, controls);
    }
  }

  private async commitThrough(
    offset: string,
    applied: number,
    context: ChunkContext,
    controls: BatchControls,
  ): Promise<void> {
    const committed = nextOffset(offset);
    await controls.commit(context, committed);
    controls.resolveOffset(offset);
    this.router?.metrics?.lag.set(
      {
        group: this.options.groupId,
        topic: context.redelivery?.retryTopic ?? context.topic,
        partition: String(context.redelivery?.retryPartition ?? context.partition),
      },
      Math.max(0, Number(controls.highWatermark) - Number(committed)),
    );
    if (applied > 0) this.options.hooks?.processed?.(applied, context);
    await controls.heartbeat();
  }

  /**
   * Runs the handler, retrying in place with backoff and full jitter. Without `deadLetters` it
   * retries until it succeeds (or the chunk is abandoned). With them, a failure that is not an
   * infrastructure failure is retried `inPlaceAttempts` times (none for a `PermanentError`) and
   * then reported; infrastructure failures never count and are retried until they clear.
   */
  private async attempt(
    chunk: KafkaMessage[],
    context: ChunkContext,
    controls: BatchControls,
  ): Promise<Attempt> {
    const { handleBatch, hooks, logger, deadLetters } = this.options;
    const isInfrastructure = deadLetters?.isInfrastructureError ?? isInfrastructureError;
    const bound = Math.max(1, deadLetters?.inPlaceAttempts ?? 3);
    let failures = 0;
    for (let attempt = 1; ; attempt++) {
      const started = performance.now();
      // A fresh list per attempt: a failed attempt's choices are made again by the next one.
      const setAside: SetAside[] = [];
      const attemptContext: ChunkContext = deadLetters
        ? { ...context, deadLetter: (message, error) => setAside.push({ message, error }) }
        : context;
      try {
        await handleBatch(chunk, attemptContext);
        hooks?.handlerDuration?.((performance.now() - started) / 1000, true, context);
        return { kind: 'ok', setAside };
      } catch (error) {
        hooks?.handlerDuration?.((performance.now() - started) / 1000, false, context);
        const infrastructure = deadLetters ? isInfrastructure(error) : false;
        if (deadLetters && !infrastructure) {
          failures += 1;
          if (isPermanentError(error) || failures >= bound) return { kind: 'failed', error };
        }
        const delayMs = backoffDelay(
          attempt,
          this.options.retryBaseMs ?? 100,
          this.options.retryCapMs ?? 5000,
        );
        logger.warn(
          {
            err: briefError(error),
            topic: context.topic,
            partition: context.partition,
            firstOffset: chunk[0].offset,
            messages: chunk.length,
            attempt,
            delayMs,
            ...(deadLetters ? { infrastructure } : {}),
          },
          'chunk handler failed; retrying in place',
        );
        hooks?.retry?.(attempt, delayMs, context);
        this.router?.metrics?.retriedInPlace.inc({
          group: deadLetters!.group,
          topic: context.topic,
          kind: infrastructure ? 'infrastructure' : 'transient',
        });
        if (!(await this.waitUnlessAbandoned(delayMs, controls))) return { kind: 'abandoned' };
      }
    }
  }

  /**
   * Publishes a failed message to the retry topic or the DLQ and waits for the broker's ack (the
   * caller commits the source offset only after that). A failing publish — the broker is down —
   * is retried in place; false when abandoned meanwhile (the message is then redelivered).
   */
  private async park(
    message: KafkaMessage,
    origin: FailureOrigin,
    previous: FailureInfo | null,
    error: unknown,
    controls: BatchControls,
    deadLetterReason?: string,
  ): Promise<boolean> {
    const { logger } = this.options;
    const reason = briefError(error);
    // A malformed message, thrown or set aside, goes straight to the DLQ with its reason.
    const malformed =
      deadLetterReason ?? (error instanceof MalformedMessageError ? error.reason : undefined);
    for (let attempt = 1; ; attempt++) {
      let routed: RouteResult;
      try {
        routed = await this.router!.route(
          message,
          origin,
          previous,
          reason,
          malformed === undefined ? undefined : { deadLetterReason: malformed },
        );
      } catch (publishError) {
        const delayMs = backoffDelay(attempt, 100, this.options.retryCapMs ?? 5000);
        logger.warn(
          { err: briefError(publishError), ...origin, delayMs },
          'could not park a failed message; retrying',
        );
        if (!(await this.waitUnlessAbandoned(delayMs, controls))) return false;
        continue;
      }
      const what = routed.destination === 'dead-letter' ? 'dead-lettered' : 'parked for retry';
      logger.warn(
        { err: reason, ...origin, attempts: routed.attempts, to: routed.topic },
        `message ${what}`,
      );
      // Outside the publish's retry: whatever the hook does, the message is published once.
      await this.options.hooks?.parked?.(
        message,
        origin,
        routed,
        malformed === undefined
          ? reason.type
          : malformed.startsWith('malformed:')
            ? malformed
            : `malformed:${malformed}`,
      );
      return true;
    }
  }

  /**
   * Sends the messages the handler set aside as malformed straight to the DLQ, with their reason,
   * before the offset past them is committed (no retry round can make them parse). `previous`:
   * the failure record when the chunk is a re-run from the retry topic.
   */
  private async parkSetAside(
    setAside: SetAside[],
    context: ChunkContext,
    previous: FailureInfo | null,
    controls: BatchControls,
  ): Promise<boolean> {
    for (const { message, error } of setAside) {
      const origin = previous
        ? {
            topic: previous.sourceTopic,
            partition: previous.sourcePartition,
            offset: previous.sourceOffset,
          }
        : { topic: context.topic, partition: context.partition, offset: message.offset };
      if (!(await this.park(message, origin, previous, error, controls, error.reason)))
        return false;
    }
    return true;
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
