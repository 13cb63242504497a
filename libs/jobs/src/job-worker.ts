import { briefError, isInfrastructureError } from '@shopwire/kafka';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { DispatchMessage } from '@shopwire/contracts';
import {
  JobAbortedError,
  JobFailedError,
  type AbortReason,
  type JobContext,
  type JobHandler,
  type JobRecord,
} from './job';
import type { JobMetrics } from './job.metrics';
import type { JobStore } from './job-store';
import type { Pacer } from './pacer';

export interface JobWorkerOptions {
  store: JobStore;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  handlers: ReadonlyMap<string, JobHandler<any, any>>;
  logger: Logger;
  metrics: JobMetrics;
  pacer: Pacer;
  /** Jobs this process runs at once. */
  concurrency: number;
  /** How long a lease lasts without renewal: how soon a lost worker's job is taken over. */
  leaseMs: number;
  /** Lease renewal and cancel check; a cancel is noticed within about this long. */
  tickMs: number;
  /** How often expired leases are looked for (on every replica). */
  reapIntervalMs: number;
  /** How long a dispatch waits for a free slot before the consumer retries it (see README). */
  busyWaitMs?: number;
  /** Finished jobs older than this are deleted with their outputs; 0 keeps them forever. */
  retentionMs?: number;
  /** How long stop() waits for running jobs to hand themselves back. */
  shutdownGraceMs?: number;
  /** A job reached a terminal status here (its callback, if any, is due now). */
  onFinished?(job: JobRecord): void;
  owner?: string;
}

/** All slots are taken: the dispatch consumer retries the message in place, with backoff. */
export class WorkerBusyError extends Error {
  override readonly name = 'WorkerBusyError';
}

interface RunningJob {
  job: JobRecord;
  controller: AbortController;
  reason: AbortReason | null;
  done: Promise<void>;
}

/** A counting semaphore whose waits give up after a timeout. */
class Slots {
  private readonly waiters: (() => void)[] = [];
  constructor(private free: number) {}

  acquire(timeoutMs: number): Promise<boolean> {
    if (this.free > 0) {
      this.free--;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const waiter = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        resolve(false);
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.free++;
  }
}

/**
 * Runs jobs in this process. A dispatch message leads to a claim (the Postgres lease); a claimed
 * job runs in the background and the message is committed — Kafka spreads jobs over replicas,
 * Postgres guarantees one runner. While a job runs its lease is renewed every `tickMs`, and the
 * same query reports cancel requests. If this process dies, the lease runs out and any replica's
 * reaper requeues and re-dispatches the job, which resumes from its last committed checkpoint.
 */
export class JobWorker {
  readonly owner: string;
  private readonly running = new Map<string, RunningJob>();
  private readonly slots: Slots;
  private tickTimer: NodeJS.Timeout | null = null;
  private reapTimer: NodeJS.Timeout | null = null;
  private ticking = false;
  private reaping = false;
  private lastRetentionAt = 0;
  private stopping = false;

  constructor(private readonly options: JobWorkerOptions) {
    this.owner = options.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.slots = new Slots(options.concurrency);
  }

  /** Ids of the jobs running here now. */
  get active(): string[] {
    return [...this.running.keys()];
  }

  start(): void {
    this.stopping = false;
    this.reapTimer ??= setInterval(() => void this.reap(), this.options.reapIntervalMs);
  }

  /** Hands every running job back (queued again, re-dispatched) and waits for them to settle. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.tickTimer) clearInterval(this.tickTimer);
    if (this.reapTimer) clearInterval(this.reapTimer);
    this.tickTimer = this.reapTimer = null;
    const entries = [...this.running.values()];
    for (const entry of entries) this.abort(entry, 'shutdown');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(entries.map((entry) => entry.done)),
      new Promise((resolve) => {
        timer = setTimeout(resolve, this.options.shutdownGraceMs ?? 10_000);
      }),
    ]);
    clearTimeout(timer);
  }

  /** Called by the dispatch consumer for each message; resolves once the job started (or not). */
  async handleDispatch(message: DispatchMessage): Promise<void> {
    const { store, handlers, metrics, logger } = this.options;
    const handler = handlers.get(message.type);
    if (!handler) {
      // Maybe a newer replica knows it (a rolling deploy); the job stays queued for it.
      metrics.dispatchSkipped.inc({ reason: 'unknown_type' });
      logger.warn({ jobId: message.jobId, type: message.type }, 'no handler for job type here');
      return;
    }
    if (this.running.has(message.jobId)) return;
    if (this.stopping) throw new WorkerBusyError('worker is stopping');
    if (!(await this.slots.acquire(this.options.busyWaitMs ?? 5000))) {
      throw new WorkerBusyError(`all ${this.options.concurrency} job slots are busy`);
    }
    let job: JobRecord | null;
    try {
      job = await store.claim(message.jobId, this.owner, this.options.leaseMs);
    } catch (error) {
      this.slots.release();
      throw error;
    }
    if (!job) {
      this.slots.release();
      metrics.dispatchSkipped.inc({ reason: 'not_claimable' });
      return;
    }
    metrics.entered(job.type, 'running');
    logger.info(
      { jobId: job.id, type: job.type, attempt: job.attempts, resumed: job.checkpoint !== null },
      'job started',
    );
    this.execute(job, handler);
  }

  private execute(job: JobRecord, handler: JobHandler): void {
    const entry: RunningJob = {
      job,
      controller: new AbortController(),
      reason: null,
      done: Promise.resolve(),
    };
    this.running.set(job.id, entry);
    // Leases are renewed only while a job runs here: an idle worker is not woken every tickMs.
    this.tickTimer ??= setInterval(() => void this.tick(), this.options.tickMs);
    entry.done = this.run(entry, handler).finally(() => {
      this.running.delete(job.id);
      if (this.running.size === 0 && this.tickTimer) {
        clearInterval(this.tickTimer);
        this.tickTimer = null;
      }
      this.slots.release();
    });
  }

  private async run(entry: RunningJob, handler: JobHandler): Promise<void> {
    const { store, logger } = this.options;
    const { job } = entry;
    try {
      const context = this.context(entry, handler, handler.params.parse(job.params));
      const completion = await handler.run(context);
      // Finished despite a shutdown request: completing (still fenced) beats redoing the work.
      if (entry.reason && entry.reason !== 'shutdown') throw new JobAbortedError(entry.reason);
      const done = await store.complete(job.id, this.owner, completion);
      this.finished(done);
      logger.info({ jobId: job.id, type: job.type, size: done.result?.size ?? 0 }, 'job succeeded');
    } catch (error) {
      await this.settle(entry, error).catch((settleError: unknown) => {
        // The lease runs out and the reaper takes over: nothing is lost by giving up here.
        logger.warn(
          { jobId: job.id, err: briefError(settleError) },
          'could not record how the job ended; its lease will expire',
        );
      });
    }
  }

  private async settle(entry: RunningJob, error: unknown): Promise<void> {
    const { store, logger } = this.options;
    const { job } = entry;
    const reason = entry.reason ?? (error instanceof JobAbortedError ? error.reason : null);
    switch (reason) {
      case 'cancelled':
      case 'lease-lost':
        // Cancelled: already recorded by the tick. Lease lost: no longer ours to write.
        logger.info({ jobId: job.id, reason }, 'job stopped');
        return;
      case 'shutdown':
        if (await store.release(job.id, this.owner)) {
          this.options.metrics.entered(job.type, 'queued');
          logger.info({ jobId: job.id }, 'job handed back for another worker (shutting down)');
        }
        return;
      case null:
        break;
    }
    if (isInfrastructureError(error) && !(error instanceof JobFailedError)) {
      // An outage is not the job's fault: hand it back. Each claim uses an attempt, which bounds
      // how often this can happen.
      logger.warn({ jobId: job.id, err: briefError(error) }, 'job interrupted by an outage');
      if (await store.release(job.id, this.owner)) this.options.metrics.entered(job.type, 'queued');
      return;
    }
    const brief = briefError(error);
    const failed = await store.finish(job.id, this.owner, 'failed', {
      type: brief.type,
      message: brief.message,
    });
    if (failed) {
      this.finished(failed);
      logger.warn({ jobId: job.id, type: job.type, err: brief }, 'job failed');
    }
  }

  private finished(job: JobRecord): void {
    this.options.metrics.entered(job.type, job.status);
    this.options.onFinished?.(job);
    if (job.startedAt && job.finishedAt) {
      this.options.metrics.duration.observe(
        { type: job.type, status: job.status },
        (job.finishedAt.getTime() - job.startedAt.getTime()) / 1000,
      );
    }
  }

  private context(entry: RunningJob, handler: JobHandler, params: unknown): JobContext {
    const { store, logger } = this.options;
    const { job } = entry;
    const pacer = handler.pacer ?? this.options.pacer;
    let checkpoint: unknown = job.checkpoint;
    const check = () => {
      if (entry.reason) throw new JobAbortedError(entry.reason);
    };
    return {
      id: job.id,
      type: job.type,
      params,
      attempt: job.attempts,
      get checkpoint() {
        return checkpoint;
      },
      signal: entry.controller.signal,
      logger: logger.child({ jobId: job.id, type: job.type }),
      isCancelled: () => entry.reason === 'cancelled',
      progress: async (processed, total) => {
        check();
        await store.progress(job.id, this.owner, processed, total);
      },
      step: async (work) => {
        check();
        const outcome = await store.step(job.id, this.owner, work);
        checkpoint = outcome.checkpoint;
      },
      pace: (cost = 1) => pacer.acquire(cost, entry.controller.signal),
    };
  }

  private abort(entry: RunningJob, reason: AbortReason): void {
    if (entry.reason) return;
    entry.reason = reason;
    entry.controller.abort(new JobAbortedError(reason));
  }

  /** Renews the leases held here; stops jobs that were cancelled or are no longer ours. */
  private async tick(): Promise<void> {
    if (this.ticking || this.running.size === 0) return;
    this.ticking = true;
    const { store, logger, leaseMs } = this.options;
    try {
      const entries = [...this.running.values()].filter((entry) => !entry.reason);
      const held = await store.renew(
        entries.map((entry) => entry.job.id),
        this.owner,
        leaseMs,
      );
      for (const entry of entries) {
        const state = held.get(entry.job.id);
        if (!state) {
          if (this.running.has(entry.job.id)) {
            logger.warn({ jobId: entry.job.id }, 'job lease lost; stopping it here');
            this.abort(entry, 'lease-lost');
          }
        } else if (state.cancelRequested) {
          const cancelled = await store.finish(entry.job.id, this.owner, 'cancelled', null);
          if (cancelled) this.finished(cancelled);
          this.abort(entry, 'cancelled');
        }
      }
    } catch (error) {
      // Postgres unavailable: jobs keep going; if it lasts past the lease another worker may
      // take over, and the next renewal here then stops ours.
      logger.warn({ err: briefError(error) }, 'job lease renewal failed');
    } finally {
      this.ticking = false;
    }
  }

  private async reap(): Promise<void> {
    if (this.reaping) return;
    this.reaping = true;
    const { store, logger, metrics } = this.options;
    try {
      const reaped = await store.reapExpired();
      for (const job of reaped.requeued) metrics.entered(job.type, 'queued');
      for (const job of [...reaped.failed, ...reaped.cancelled]) this.finished(job);
      const total = reaped.requeued.length + reaped.failed.length + reaped.cancelled.length;
      if (total > 0) {
        logger.info(
          {
            requeued: reaped.requeued.map((job) => job.id),
            failed: reaped.failed.map((job) => job.id),
            cancelled: reaped.cancelled.map((job) => job.id),
          },
          'took over jobs whose worker was lost',
        );
      }
      const retentionMs = this.options.retentionMs ?? 0;
      if (retentionMs > 0 && Date.now() - this.lastRetentionAt >= 60_000) {
        this.lastRetentionAt = Date.now();
        const deleted = await store.deleteExpired(retentionMs);
        if (deleted > 0) logger.info({ deleted }, 'deleted finished jobs past their retention');
      }
      metrics.observeCounts(await store.countByTypeAndStatus());
    } catch (error) {
      logger.warn({ err: briefError(error) }, 'job reaper cycle failed');
    } finally {
      this.reaping = false;
    }
  }
}
