import type { Logger } from '@shopwire/observability';
import {
  BreakerRegistry,
  breakerHealth,
  breakerState,
  isBreakerOpenError,
  RetriesExhaustedError,
  type Breaker,
  type BreakerOptions,
  type BreakerState,
} from '@shopwire/resilience';
import type { Registry } from 'prom-client';
import { DeliveryMetrics, type DeliveryResult } from './delivery-metrics';
import { decideRetry, type DeliveryFailure, type RetryPolicy } from './retry-policy';

/** Runs one call through the destination's breaker (once per in-process attempt). */
export type BreakerGuard = <T>(call: () => Promise<T>) => Promise<T>;

export interface Delivered<Row, Result> {
  row: Row;
  result: Result;
}

/** A failed attempt as the queue records it. */
export interface FailedAttempt {
  /** `DeliveryFailure.summary`. */
  error: string;
  /** The error deliver threw (e.g. for an HTTP status to record). */
  cause: unknown;
  /** The attempt's number (1 = the first); the row's count should become this. */
  attempt: number;
  /** Dead: no further attempt. Otherwise due again after `delayMs`. */
  giveUp: boolean;
  delayMs: number;
}

/**
 * One table of due rows and how to deliver them: the only part of a leased worker a service
 * writes. The worker claims, guards, counts, backs off and gives up; the queue knows its SQL
 * (`claimDue` with its `LeasedTable`) and its destination.
 */
export interface DeliveryQueue<Row, Result = unknown> {
  /** The `queue` label, e.g. `email`, `erp_order`. */
  name: string;
  /** Claims due rows under a lease of `leaseMs` (see `claimDue`). */
  claim(limit: number, leaseMs: number): Promise<Row[]>;
  /**
   * The breaker's key. A fixed string: one destination, whose open breaker skips the queue's
   * claim altogether. A function: a breaker per destination (bounded), and a row whose breaker
   * is open is released unattempted.
   */
  destination: string | ((row: Row) => string);
  /** The `kind` label (a template, a job type): low cardinality. */
  kind(row: Row): string;
  /** Attempts already made on the row. */
  attempts(row: Row): number;
  /** Delivers one row, each call to the destination through `guard`; throws when it failed. */
  deliver(row: Row, guard: BreakerGuard): Promise<Result>;
  describeFailure(error: unknown): DeliveryFailure;
  retry: RetryPolicy;
  /** Marks a pass's delivered rows (one statement where it can: the window to a resend is short). */
  markDelivered(delivered: readonly Delivered<Row, Result>[]): Promise<void>;
  markFailed(row: Row, failed: FailedAttempt): Promise<void>;
  /** Gives a claimed row back without counting an attempt, due again after `delayMs`. */
  release(row: Row, delayMs: number, reason: string | null): Promise<void>;
  /** Rows not yet delivered by status, for the backlog gauge (a count over the table: sampled). */
  backlog?(): Promise<readonly { status: string; n: number }[]>;
  /** What identifies the row in a log line: ids, never addresses or payloads. */
  logFields?(row: Row): Record<string, unknown>;
}

export interface OutboundDeliveryOptions {
  /** For logs. */
  name: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  queues: readonly DeliveryQueue<any, any>[];
  /** Rows claimed per queue per pass; a full batch means go again at once. */
  batch: number;
  /** Wait between passes that found less than a batch (a `wake()` cuts it short). */
  pollMs: number;
  /**
   * Longest wait while idle. After each pass that claimed nothing the wait doubles, from `pollMs`
   * up to this; a pass that claims rows, or `wake()`, brings it back to `pollMs`. Rows this worker
   * scheduled for later (a retry, a row released by an open breaker) are looked for when they
   * fall due, whatever the wait. Default 10 × `pollMs`; set it to `pollMs` for a fixed poll.
   */
  idlePollMaxMs?: number;
  /** How long a claim holds: a dead worker's rows are handed on after this. */
  leaseMs: number;
  /** The breaker of one destination (`name` is its label in health and metrics). */
  breaker(destination: string): Omit<BreakerOptions, 'registry'>;
  /** Destinations with a breaker kept at once (least recently used out). Default 1000. */
  maxBreakers?: number;
  /** When a row refused by an open breaker is due again. Default: the breaker's reset time. */
  refusedDelayMs?: number;
  /** How often the backlog gauge is refreshed. Default 5 s. */
  backlogSampleMs?: number;
  logger: Logger;
  registry?: Registry;
}

/**
 * The leased outbound-delivery loop shared by every service that calls out from a table of due
 * rows (emails, ERP calls, job callbacks). Every replica runs it; rows are claimed with
 * `FOR UPDATE SKIP LOCKED` and a lease committed before delivering, so no transaction stays open
 * during a call and a dead worker's rows are taken over when the lease runs out. Delivery is
 * therefore at least once: a crash between the destination's answer and the mark sends again,
 * and every queue's deliver carries a stable idempotency key for the destination to drop it.
 *
 * Per destination: one breaker (an open one refuses without counting an attempt), and backoff
 * with full jitter and a cap (`RetryPolicy`) for a failed attempt until it gives up (dead).
 * `stop()` takes no new claims, lets the deliveries in flight finish and be marked, and gives
 * back at once anything claimed but not started.
 */
export class OutboundDeliveryWorker {
  readonly metrics: DeliveryMetrics;
  private readonly breakers: BreakerRegistry<[() => Promise<unknown>], unknown>;
  private running = false;
  private stopping = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private woken = false;
  private backlogSampledAt = 0;
  /** Earliest due time of a row this worker retried or released (ms since epoch). */
  private nextDueAt = Number.POSITIVE_INFINITY;
  private readonly backlogStatuses = new Map<string, Set<string>>();

  constructor(private readonly options: OutboundDeliveryOptions) {
    this.metrics = new DeliveryMetrics(options.registry);
    this.breakers = new BreakerRegistry({
      max: options.maxBreakers ?? 1000,
      action: (call) => call(),
      optionsFor: (destination) => ({
        ...options.breaker(destination),
        registry: options.registry,
      }),
    });
    // Fixed destinations have their breaker (and gauge series, and health entry) from the start.
    for (const queue of options.queues)
      if (typeof queue.destination === 'string') this.breaker(queue.destination);
  }

  start(): void {
    if (this.loop) return;
    this.running = true;
    this.stopping = false;
    this.loop = this.run();
  }

  /** Stops claiming; the pass in flight finishes and marks its rows; the breakers are shut. */
  async stop(): Promise<void> {
    this.running = false;
    this.stopping = true;
    this.wake();
    await this.loop;
    this.loop = null;
    this.breakers.clear();
  }

  /** New rows committed: look now rather than at the next poll. */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  state(destination: string): BreakerState {
    return breakerState(this.breaker(destination));
  }

  /** Health of one destination's breaker, or of every breaker held (by destination). */
  health(destination?: string): Record<string, unknown> {
    return destination === undefined
      ? this.breakers.health()
      : breakerHealth(this.breaker(destination));
  }

  /** Runs calls through one destination's breaker (a deliver function gets this as its guard). */
  guard(destination: string): BreakerGuard {
    const breaker = this.breaker(destination);
    return (call) => breaker.fire(call) as Promise<never>;
  }

  /** One pass over every queue; returns how many rows it claimed. */
  async pass(): Promise<number> {
    // Rows due by now are this pass's to claim; those due later are still waited for.
    if (this.nextDueAt <= Date.now()) this.nextDueAt = Number.POSITIVE_INFINITY;
    let claimed = 0;
    for (const queue of this.options.queues) claimed += await this.passQueue(queue);
    return claimed;
  }

  private async run(): Promise<void> {
    let emptyPasses = 0;
    while (this.running) {
      let claimed = 0;
      try {
        claimed = await this.pass();
        await this.sampleBacklog();
      } catch (error) {
        this.options.logger.warn(
          { worker: this.options.name, err: (error as Error).message },
          'delivery pass failed; will retry',
        );
      }
      // A full batch from any queue means more are probably due: go again at once.
      if (claimed >= this.options.batch) continue;
      emptyPasses = claimed > 0 ? 0 : emptyPasses + 1;
      await this.idle(this.idleWait(emptyPasses));
    }
  }

  /**
   * `pollMs` after a pass that found work; after n empty passes in a row `pollMs·2^(n−1)`, capped
   * at `idlePollMaxMs` — an idle worker's table is not what wakes the process — but never past
   * the due time of a row this worker scheduled. New rows of this process come with `wake()`.
   */
  private idleWait(emptyPasses: number): number {
    const { pollMs } = this.options;
    const max = Math.max(pollMs, this.options.idlePollMaxMs ?? 10 * pollMs);
    const backoff = Math.min(max, pollMs * 2 ** Math.max(0, emptyPasses - 1));
    return Math.max(0, Math.min(backoff, this.nextDueAt - Date.now()));
  }

  /** A row this worker handled is due again in `delayMs`. */
  private dueIn(delayMs: number): void {
    this.nextDueAt = Math.min(this.nextDueAt, Date.now() + delayMs);
  }

  private idle(ms: number): Promise<void> {
    if (this.woken || !this.running) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = null;
        this.woken = false;
        done();
      };
    });
  }

  private async passQueue<Row, Result>(queue: DeliveryQueue<Row, Result>): Promise<number> {
    // One destination and its breaker open: nothing would get through; leave the rows due, and
    // look again at the usual poll rather than the idle one (the breaker may half-open).
    if (typeof queue.destination === 'string' && this.state(queue.destination) === 'open') {
      this.dueIn(this.options.pollMs);
      return 0;
    }
    const rows = await queue.claim(this.options.batch, this.options.leaseMs);
    if (this.stopping) {
      // Claimed while stop() was called: hand them on now rather than after the lease.
      await Promise.all(rows.map((row) => queue.release(row, 0, null)));
      return rows.length;
    }
    const outcomes = await Promise.all(rows.map((row) => this.attempt(queue, row)));
    const delivered = outcomes.filter((o) => o !== null);
    await queue.markDelivered(delivered.map(({ row, result }) => ({ row, result })));
    for (const { row, startedAt } of delivered)
      this.metrics.observe(queue.name, queue.kind(row), 'delivered', startedAt);
    return rows.length;
  }

  /** The row and its result when delivered (marked by the caller with the pass's others), else null. */
  private async attempt<Row, Result>(
    queue: DeliveryQueue<Row, Result>,
    row: Row,
  ): Promise<{ row: Row; result: Result; startedAt: number } | null> {
    const startedAt = performance.now();
    const destination =
      typeof queue.destination === 'string' ? queue.destination : queue.destination(row);
    try {
      return { row, result: await queue.deliver(row, this.guard(destination)), startedAt };
    } catch (error) {
      await this.failed(queue, row, destination, error, startedAt);
      return null;
    }
  }

  private async failed<Row, Result>(
    queue: DeliveryQueue<Row, Result>,
    row: Row,
    destination: string,
    error: unknown,
    startedAt: number,
  ): Promise<void> {
    const kind = queue.kind(row);
    const root = error instanceof RetriesExhaustedError ? error.cause : error;
    if (isBreakerOpenError(root)) {
      // Not an attempt: the destination was never asked. Due again when a trial may go through.
      const breaker = this.breaker(destination);
      const delay =
        this.options.refusedDelayMs ?? this.options.breaker(destination).resetTimeoutMs ?? 10_000;
      await queue.release(row, delay, `${breaker.name} breaker open`);
      this.dueIn(delay);
      this.metrics.observe(queue.name, kind, 'breaker_open', startedAt);
      return;
    }
    const failure = queue.describeFailure(error);
    const attempt = queue.attempts(row) + 1;
    const { giveUp, delayMs } = decideRetry(attempt, failure, queue.retry);
    await queue.markFailed(row, { error: failure.summary, cause: error, attempt, giveUp, delayMs });
    if (!giveUp) this.dueIn(delayMs);
    const result: DeliveryResult = giveUp ? 'gave_up' : 'retry';
    this.metrics.observe(queue.name, kind, result, startedAt);
    this.options.logger.warn(
      {
        queue: queue.name,
        kind,
        ...queue.logFields?.(row),
        attempt,
        error: failure.summary,
        ...(giveUp ? {} : { retryInMs: delayMs }),
      },
      giveUp ? 'delivery failed; giving up' : 'delivery failed; will retry',
    );
  }

  private breaker(destination: string): Breaker<[() => Promise<unknown>], unknown> {
    const known = this.breakers.has(destination);
    const breaker = this.breakers.get(destination);
    if (!known) {
      const log = this.options.logger;
      breaker.on('open', () => log.warn({ breaker: breaker.name }, 'circuit breaker opened'));
      breaker.on('halfOpen', () =>
        log.info({ breaker: breaker.name }, 'circuit breaker half-open'),
      );
      breaker.on('close', () => log.info({ breaker: breaker.name }, 'circuit breaker closed'));
    }
    return breaker;
  }

  /** A count over each table: sampled, not paid on every pass of a busy worker. */
  private async sampleBacklog(): Promise<void> {
    const every = this.options.backlogSampleMs ?? 5000;
    if (Date.now() - this.backlogSampledAt < every) return;
    this.backlogSampledAt = Date.now();
    for (const queue of this.options.queues) {
      if (!queue.backlog) continue;
      const counts = await queue.backlog();
      // A status that emptied since the last sample goes to 0 rather than keeping its old value.
      const previous = this.backlogStatuses.get(queue.name) ?? new Set<string>();
      for (const status of previous) this.metrics.backlog.set({ queue: queue.name, status }, 0);
      for (const { status, n } of counts)
        this.metrics.backlog.set({ queue: queue.name, status }, n);
      this.backlogStatuses.set(queue.name, new Set([...previous, ...counts.map((c) => c.status)]));
    }
  }
}
