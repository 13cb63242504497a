import { jobsTopicOf } from '@shopwire/contracts';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { DataSource, EntityManager } from 'typeorm';
import { CallbackDestinationGuard, type HostResolver } from './callback-destination';
import { CallbackSender } from './callback-sender';
import { CallbackStore } from './callback-store';
import type { JobHandler, JobRecord } from './job';
import { JobStore } from './job-store';
import { JobWorker } from './job-worker';
import { JobMetrics } from './job.metrics';
import type { JobsSettings } from './jobs-config';
import { TokenBucketPacer, unlimitedPacer, type Pacer } from './pacer';
import { checkCallbackDestination, validateSubmission, type Submission } from './submission';

export interface JobsRuntimeOptions {
  /** The service's name: topic `shopwire.jobs.<service>.v1`, group `<service>-jobs`. */
  service: string;
  /** The service's schema-scoped data source (its schema holds `jobs`, `job_outputs`, `outbox`). */
  dataSource: DataSource;
  logger: Logger;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  handlers: readonly JobHandler<any, any>[];
  settings: JobsSettings;
  registry?: Registry;
  /** Default: a token bucket when `settings.pacePerSecond` is set, else unlimited. */
  pacer?: Pacer;
  /** Overrides the dispatch topic (tests use a topic of their own). */
  topic?: string;
  /**
   * false: validate, submit and send callbacks, but run no jobs here (a runtime used without
   * `JobsModule`, whose dispatch consumer always hands dispatches to the worker).
   */
  runJobs?: boolean;
  /** Resolves callback hosts; default the system's resolver (tests answer with stubs). */
  resolver?: HostResolver;
}

/**
 * Everything of the jobs lib for one service but its dispatch consumer, in plain TypeScript: the
 * store, the worker, the reaper, and the callback sender. `JobsModule` wraps it and declares the
 * dispatch consumer (`JobDispatchConsumer`, a `@ConsumeChunks` handler on the service's consumer
 * transport, group `groupId` on `topic`). The service runs an `OutboxRelay` for its schema, which
 * publishes the dispatch messages.
 */
export class JobsRuntime {
  readonly store: JobStore;
  readonly worker: JobWorker;
  /** The dispatch topic, `shopwire.jobs.<service>.v1` unless overridden. */
  readonly topic: string;
  /** The dispatch consumer's group id: `JOBS_CONSUMER_GROUP`, else `<service>-jobs`. */
  readonly groupId: string;
  readonly logger: Logger;
  readonly callbacks: CallbackSender;
  readonly metrics: JobMetrics;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly handlers: ReadonlyMap<string, JobHandler<any, any>>;
  readonly destination: CallbackDestinationGuard;
  private started = false;

  constructor(readonly options: JobsRuntimeOptions) {
    const { settings, logger } = options;
    this.topic = options.topic ?? jobsTopicOf(options.service);
    this.groupId = settings.consumerGroup ?? `${options.service}-jobs`;
    this.handlers = new Map(options.handlers.map((handler) => [handler.type, handler]));
    this.metrics = new JobMetrics(options.registry);
    this.store = new JobStore(options.dataSource, this.topic);
    const log = (this.logger = logger.child({ component: 'jobs' }));
    this.worker = new JobWorker({
      store: this.store,
      handlers: this.handlers,
      logger: log,
      metrics: this.metrics,
      pacer:
        options.pacer ??
        (settings.pacePerSecond
          ? new TokenBucketPacer({ ratePerSecond: settings.pacePerSecond, capacity: 1 })
          : unlimitedPacer),
      concurrency: settings.concurrency,
      leaseMs: settings.leaseMs,
      tickMs: settings.tickMs,
      reapIntervalMs: settings.reapIntervalMs,
      retentionMs: settings.retentionMs,
      // The callback is due at once: the sender need not wait for its next (idle) poll.
      onFinished: (job) => {
        if (job.callbackUrl) this.callbacks.wake();
      },
    });
    this.destination = new CallbackDestinationGuard(settings.callbackPolicy, options.resolver);
    this.callbacks = new CallbackSender({
      store: new CallbackStore(options.dataSource),
      secret: settings.callbackSecret,
      logger: log,
      registry: options.registry,
      timeoutMs: settings.callbackTimeoutMs,
      maxAttempts: settings.callbackMaxAttempts,
      baseDelayMs: settings.callbackBaseDelayMs,
      capDelayMs: settings.callbackMaxDelayMs,
      pollIntervalMs: settings.callbackPollMs,
      destination: this.destination,
    });
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    if (this.options.runJobs !== false) this.worker.start();
    this.callbacks.start();
  }

  /**
   * Hands running jobs back (re-dispatched through the outbox) and stops callbacks. A dispatch
   * that arrives afterwards finds the worker stopping (`WorkerBusyError`) and waits, uncommitted.
   */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await this.worker.stop();
    await this.callbacks.stop();
  }

  /** The submission's shape, type and params; synchronous, no lookup (see `checkCallback`). */
  validate(body: unknown): Submission {
    return validateSubmission(body, this.handlers, this.options.settings.callbackSecret !== null);
  }

  /**
   * A valid submission's callback destination, resolved and judged (`CallbackDestinationGuard`):
   * null when acceptable (or none), else the problem, phrased for a 400. The sender judges it
   * again at each delivery.
   */
  async checkCallback(submission: Extract<Submission, { ok: true }>): Promise<string | null> {
    return checkCallbackDestination(this.destination, submission.callbackUrl);
  }

  async submit(
    submission: Extract<Submission, { ok: true }>,
    submittedBy: string | null,
  ): Promise<JobRecord> {
    const job = await this.store.submit({
      type: submission.type,
      params: submission.params,
      callbackUrl: submission.callbackUrl,
      submittedBy,
      maxAttempts: this.options.settings.maxAttempts,
    });
    this.metrics.entered(job.type, 'queued');
    return job;
  }

  /**
   * `submit` that adds no second job for the same idempotency key; with `manager`, inside the
   * caller's transaction (see `JobStore.submitOnce`). The queued transition is counted when the
   * job is new (inside a caller's transaction that later rolls back, it is counted anyway).
   */
  async submitOnce(
    submission: Extract<Submission, { ok: true }>,
    options: { idempotencyKey: string; submittedBy: string | null; manager?: EntityManager },
  ): Promise<{ job: JobRecord; created: boolean }> {
    const result = await this.store.submitOnce(
      {
        type: submission.type,
        params: submission.params,
        callbackUrl: submission.callbackUrl,
        submittedBy: options.submittedBy,
        maxAttempts: this.options.settings.maxAttempts,
        idempotencyKey: options.idempotencyKey,
      },
      options.manager,
    );
    if (result.created) this.metrics.entered(result.job.type, 'queued');
    return result;
  }

  /** Cancels a shop's queued and running jobs (`JobStore.requestCancelForShop`). */
  async cancelForShop(shop: string, manager?: EntityManager): Promise<JobRecord[]> {
    const jobs = await this.store.requestCancelForShop(shop, manager);
    for (const job of jobs)
      if (job.status === 'cancelled') this.metrics.entered(job.type, 'cancelled');
    return jobs;
  }
}
