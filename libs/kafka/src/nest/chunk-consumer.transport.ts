import { Server, type CustomTransportStrategy } from '@nestjs/microservices';
import { AssignerProtocol, type Admin, type Kafka, type KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { isObservable, lastValueFrom } from 'rxjs';
import type { DeliveryRecord } from '@shopwire/contracts';
import { backoffDelay, briefError, sleep } from '../consumer-helpers';
import { ConsumerRunner } from '../consumer-runner';
import type {
  ChunkContext,
  ConsumerRunnerOptions,
  ConsumerRunnerStatus,
} from '../consumer-runner-types';
import { deliveryRecordOf } from '../delivery-records';
import { deadLetterMalformed } from '../failure-classification';
import { ConsumerFailureMetrics } from '../failure-metrics';
import type {
  DeadLetterOptions,
  FailureOrigin,
  FailurePublisher,
  RouteResult,
} from '../failure-router';
import {
  CONSUME_CHUNKS_EXTRAS,
  isChunkHandlerOutcome,
  type ConsumeChunksOptions,
  type ConsumerChunk,
} from './consume-chunks.decorator';
import { ConsumerMetrics } from './consumer-metrics';

/** Per-group settings that come from configuration rather than from the decorator. */
export type ChunkConsumerTuning = Partial<
  Pick<
    ConsumerRunnerOptions,
    | 'groupId'
    | 'partitionsConcurrently'
    | 'maxChunk'
    | 'retryBaseMs'
    | 'retryCapMs'
    | 'fromBeginning'
    | 'sessionTimeoutMs'
    | 'fetchMinBytes'
    | 'fetchMaxWaitMs'
  >
> & {
  /**
   * Replaces the decorator's topics — where they depend on the process (a service's own jobs
   * topic) or a test reads a topic of its own.
   */
  topics?: readonly string[];
  /**
   * Overrides of the failure path (attempts, delays); group, producer and registry are set.
   * `false`: no retry topic and no DLQ — a failing chunk is retried in place until it succeeds,
   * and `chunk.rejected` only counts. For consumers whose effect is a cache drop or a hand-off
   * (nothing a person would replay) and whose failures are outages of their own dependency.
   */
  deadLetters?: false | Partial<Omit<DeadLetterOptions, 'group' | 'producer' | 'registry'>>;
};

export interface ChunkConsumerTransportOptions {
  kafka: Kafka;
  logger: Logger;
  /** Acked producer of the failure path (retry topic, DLQ). */
  producer: FailurePublisher;
  registry: Registry;
  /** Keyed by logical group (`@ConsumeChunks({ group })`); unset groups use the defaults. */
  groups?: Record<string, ChunkConsumerTuning>;
  /** Where deliveries are journaled (docs/adr/0011); none when absent. */
  journal?: ConsumerDeliveryJournal;
}

/**
 * The delivery journal as the transport drives it (`DeliveryJournalWriter` of @shopwire/database):
 * each chunk's records in scope around its handler, so the handler's inbox claims write them,
 * and a write of its own for a message the failure router parked.
 */
export interface ConsumerDeliveryJournal {
  around<T>(records: readonly DeliveryRecord[], work: () => Promise<T>): Promise<T>;
  failed(
    record: DeliveryRecord,
    outcome: 'retrying' | 'dead-lettered',
    errorClass: string,
  ): Promise<void>;
}

/** One group's consumer as readiness and tests see it. */
export interface ChunkConsumerStatus extends ConsumerRunnerStatus {
  group: string;
  groupId: string;
}

interface GroupConsumer {
  group: string;
  groupId: string;
  runner: ConsumerRunner;
  starting: Promise<void>;
}

/**
 * Shopwire's consumers as a Nest microservice transport. Every `@ConsumeChunks` handler becomes
 * one `ConsumerRunner` (its own consumer group), so the semantics are the runner's, unchanged:
 * a chunk applied in one transaction with the inbox, the offset committed after the database
 * commit, in-place retries, the group's retry topic and `<topic>.dlq`, pause/resume for delayed
 * re-runs, partitions concurrently and each in order, malformed messages to the DLQ.
 *
 * Lifecycle (docs/adr/0008): `listen` returns at once and each consumer keeps trying to start in
 * the background, so a service whose broker is down at boot still answers HTTP (readiness says
 * not ready). Nest closes microservices in `app.close()` after every `onModuleDestroy` and before
 * any `onApplicationShutdown` — after the in-flight chunks committed, before the pool closes.
 */
export class ChunkConsumerTransport extends Server implements CustomTransportStrategy {
  private readonly consumers: GroupConsumer[] = [];
  private readonly metrics: ConsumerMetrics;
  private readonly failureMetrics: ConsumerFailureMetrics;
  private closing = false;
  /** Resolves when close() begins, so a start loop waiting out its backoff ends at once. */
  private closingSignal: Promise<void> = Promise.resolve();
  private signalClosing: () => void = () => undefined;
  private admin: Admin | null = null;
  private adminConnecting: Promise<Admin> | null = null;

  private readonly groups: Record<string, ChunkConsumerTuning>;

  constructor(private readonly options: ChunkConsumerTransportOptions) {
    super();
    this.metrics = new ConsumerMetrics(options.registry);
    this.failureMetrics = new ConsumerFailureMetrics(options.registry);
    this.groups = { ...options.groups };
  }

  /**
   * Sets a group's tuning, for a lib module that contributes a `@ConsumeChunks` handler to the
   * service's transport with settings of its own (its group id, topics, no dead letters). Call
   * it while the app initialises, before `startConsumers`: the settings are read at `listen`.
   * The service's own settings for the group (`ServiceCoreModule`'s `consumers`) win key by key.
   */
  configureGroup(group: string, tuning: ChunkConsumerTuning): void {
    if (this.consumers.some((c) => c.group === group)) {
      throw new Error(`consumer group ${group} is already running`);
    }
    this.groups[group] = { ...tuning, ...this.groups[group] };
  }

  listen(callback: (error?: unknown) => void): void {
    if (this.consumers.length > 0) return callback();
    this.closing = false;
    this.closingSignal = new Promise((resolve) => (this.signalClosing = resolve));
    try {
      for (const [pattern, handler] of this.messageHandlers) {
        const declared = (handler.extras as Record<string, unknown> | undefined)?.[
          CONSUME_CHUNKS_EXTRAS
        ] as ConsumeChunksOptions | undefined;
        if (!declared) {
          throw new Error(`handler ${pattern} is not a @ConsumeChunks handler`);
        }
        this.consumers.push(this.createConsumer(declared, handler));
      }
    } catch (error) {
      return callback(error);
    }
    callback();
  }

  /** Stops every consumer once its in-flight chunk has committed (see `ConsumerRunner.stop`). */
  async close(): Promise<void> {
    this.closing = true;
    this.signalClosing();
    await Promise.all(
      this.consumers.map(async (consumer) => {
        await consumer.starting;
        await consumer.runner.stop();
        this.options.logger.info({ group: consumer.group }, 'consumer stopped');
      }),
    );
    this.consumers.length = 0;
    const admin = this.admin;
    this.admin = null;
    this.adminConnecting = null;
    await admin?.disconnect().catch(() => undefined);
  }

  get statuses(): ChunkConsumerStatus[] {
    return this.consumers.map(({ group, groupId, runner }) => ({
      group,
      groupId,
      ...runner.status,
    }));
  }

  /**
   * Resolves when every consumer is ready in the broker's view: its group is Stable and lists
   * this member with the assignment kafkajs joined with. Rejects with what is missing otherwise.
   */
  async readiness(): Promise<{ groups: string[] }> {
    if (this.consumers.length === 0) throw new Error('consumers not started');
    const local = this.statuses;
    for (const status of local) {
      if (!status.running || !status.joined || !status.member) {
        throw new Error(
          `${status.group}: ${status.lastError ?? (status.running ? 'not joined to its group yet' : 'not running')}`,
        );
      }
    }
    const admin = await this.connectedAdmin();
    const { groups } = await admin.describeGroups(local.map((s) => s.groupId));
    for (const status of local) {
      const described = groups.find((g) => g.groupId === status.groupId);
      if (!described || described.state !== 'Stable') {
        throw new Error(`${status.group}: group is ${described?.state ?? 'unknown'}, not Stable`);
      }
      const member = described.members.find((m) => m.memberId === status.member!.memberId);
      if (!member) throw new Error(`${status.group}: the broker does not list this member`);
      const held = AssignerProtocol.MemberAssignment.decode(member.memberAssignment);
      if (!sameAssignment(held?.assignment ?? {}, status.member!.assignment)) {
        throw new Error(`${status.group}: the broker's assignment differs from the one joined`);
      }
    }
    return { groups: local.map((s) => s.group) };
  }

  on(): void {
    // This transport emits no events of its own; statuses and readiness are read directly.
  }

  unwrap<T>(): T {
    return this.consumers.map((c) => c.runner) as T;
  }

  private createConsumer(
    declared: ConsumeChunksOptions,
    handler: (...args: unknown[]) => unknown,
  ): GroupConsumer {
    const { kafka, logger, producer, registry } = this.options;
    const {
      deadLetters,
      groupId = declared.group,
      topics = declared.topics,
      ...tuning
    } = this.groups[declared.group] ?? {};
    const runner = new ConsumerRunner({
      ...tuning,
      kafka,
      groupId,
      topics: [...topics],
      logger: logger.child({ component: 'consumer', group: declared.group }),
      handleBatch: (messages, context) =>
        this.runHandler(declared.group, handler, messages, context),
      deadLetters:
        deadLetters === false
          ? undefined
          : { ...deadLetters, group: declared.group, producer, registry },
      hooks: {
        processed: (count, { topic }) =>
          this.metrics.processed.inc({ group: declared.group, topic }, count),
        handlerDuration: (seconds, ok, { topic }) =>
          this.metrics.handlerSeconds.observe(
            { group: declared.group, topic, ok: String(ok) },
            seconds,
          ),
        parked: (message, origin, routed, errorClass) =>
          this.journalFailure(declared.group, message, origin, routed, errorClass),
        // Retries are counted once, by the failure path (shopwire_consumer_retries_in_place_total);
        // without one, here under the same name (every failure is retried in place).
        ...(deadLetters === false
          ? {
              retry: (_attempt: number, _delayMs: number, { topic }: ChunkContext) =>
                this.failureMetrics.retriedInPlace.inc({
                  group: declared.group,
                  topic,
                  kind: 'unbounded',
                }),
            }
          : {}),
      },
    });
    const consumer: GroupConsumer = {
      group: declared.group,
      groupId,
      runner,
      starting: Promise.resolve(),
    };
    consumer.starting = this.startUntilRunning(consumer);
    return consumer;
  }

  /** Calls the Nest handler with the chunk and counts its outcomes only if it succeeded. */
  private async runHandler(
    group: string,
    handler: (...args: unknown[]) => unknown,
    messages: KafkaMessage[],
    context: ChunkContext,
  ): Promise<void> {
    const counts: { metric: 'ignored' | 'rejected'; reason: string; count: number }[] = [];
    const chunk: ConsumerChunk = {
      ...context,
      ignored: (reason, count = 1) => counts.push({ metric: 'ignored', reason, count }),
      rejected: (message, reason, detail) => {
        counts.push({ metric: 'rejected', reason, count: 1 });
        return deadLetterMalformed(context, message, reason, detail);
      },
    };
    const run = async () => {
      const returned = await handler(messages, chunk);
      return isObservable(returned)
        ? lastValueFrom(returned, { defaultValue: undefined })
        : returned;
    };
    const journal = this.options.journal;
    // The whole handler, an Observable's subscription included, inside the chunk's journal scope.
    const result = journal
      ? await journal.around(
          messages.flatMap((message) => deliveryRecordOf(group, message, context) ?? []),
          run,
        )
      : await run();
    if (!isChunkHandlerOutcome(result)) {
      throw new Error(`the handler of ${group} did not come through @ConsumeChunks`);
    }
    if (!result.ok) throw result.error;
    for (const { metric, reason, count } of counts) {
      this.metrics[metric].inc({ group, topic: context.topic, reason }, count);
    }
  }

  /** Journals a parked message; a failed write is logged, never in the way of the commit. */
  private async journalFailure(
    group: string,
    message: KafkaMessage,
    origin: FailureOrigin,
    routed: RouteResult,
    errorClass: string,
  ): Promise<void> {
    const journal = this.options.journal;
    const record = journal ? deliveryRecordOf(group, message, origin) : null;
    if (!journal || !record) return;
    try {
      await journal.failed(
        { ...record, kafka: { ...record.kafka, offset: origin.offset }, attempts: routed.attempts },
        routed.destination === 'dead-letter' ? 'dead-lettered' : 'retrying',
        errorClass,
      );
    } catch (error) {
      this.options.logger.warn(
        {
          group,
          topic: origin.topic,
          partition: origin.partition,
          offset: origin.offset,
          err: briefError(error),
        },
        'could not journal a parked message',
      );
    }
  }

  private async startUntilRunning(consumer: GroupConsumer): Promise<void> {
    for (let attempt = 1; !this.closing; attempt++) {
      try {
        await consumer.runner.start();
        return;
      } catch (error) {
        const delayMs = backoffDelay(attempt, 500, 10_000);
        this.options.logger.warn(
          { group: consumer.group, err: briefError(error), attempt, delayMs },
          'consumer could not start; retrying',
        );
        await Promise.race([sleep(delayMs), this.closingSignal]);
      }
    }
  }

  private async connectedAdmin(): Promise<Admin> {
    if (this.admin) return this.admin;
    this.adminConnecting ??= (async () => {
      const admin = this.options.kafka.admin();
      try {
        await admin.connect();
      } catch (error) {
        this.adminConnecting = null;
        throw error;
      }
      this.admin = admin;
      return admin;
    })();
    return this.adminConnecting;
  }
}

function sameAssignment(a: Record<string, number[]>, b: Record<string, number[]>): boolean {
  const norm = (x: Record<string, number[]>): string =>
    JSON.stringify(
      Object.keys(x)
        .filter((topic) => x[topic].length > 0)
        .sort()
        .map((topic) => [topic, [...x[topic]].sort((p, q) => p - q)]),
    );
  return norm(a) === norm(b);
}
