import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { DataSource, EntityManager } from 'typeorm';
import { SchedulerMetrics } from './scheduler.metrics';
import { assertSpec, specLabel, type ScheduleSpec, type TickPlan } from './slots';
import { keyOf, TickRunError, TickStore } from './tick-store';

/** One run of a schedule, handed to its task. */
export interface Tick extends TickPlan {
  name: string;
  spec: ScheduleSpec;
  /**
   * The run's transaction, which also holds the schedule's lease and advances it at commit. Work
   * written through it commits together with the tick (or not at all), so a retried tick cannot
   * leave a half-submitted slot behind.
   */
  manager: EntityManager;
}

export interface ScheduledTask {
  /** Stable and unique within the schema, e.g. `sync.order-backfill`. */
  name: string;
  spec: ScheduleSpec;
  /**
   * Should be short (submit work, don't do it): the lease row stays locked while it runs, and it
   * is rolled back after `tickTimeoutMs`.
   */
  run(tick: Tick): Promise<void>;
}

export interface SchedulerOptions {
  /** The service's schema-scoped data source; its schema holds `schedule_ticks`. */
  dataSource: DataSource;
  tasks: readonly ScheduledTask[];
  logger: Logger;
  /** How often this replica looks for due schedules; a slot runs at most about this late. */
  pollMs?: number;
  /** A run taking longer is rolled back (and its lease freed by the server). */
  tickTimeoutMs?: number;
  /** Backoff after a failed run, shared by all replicas through the row. */
  retryBaseMs?: number;
  retryCapMs?: number;
  registry?: Registry;
  /** Shown in `last_owner`; default host name + a random suffix. */
  owner?: string;
}

export type TickOutcome =
  | { name: string; outcome: 'ran'; plan: TickPlan }
  | { name: string; outcome: 'failed'; error: string };

/**
 * Periodic work that exactly one replica runs per slot: each replica polls, and the Postgres
 * lease in `schedule_ticks` (see `TickStore`) lets one of them run a due slot. A slot nobody ran
 * (every replica down) is run once when one comes back, for the latest slot, with `missed` and
 * `dueSlot` telling the task how much time it has to cover.
 */
export class Scheduler {
  readonly store: TickStore;
  readonly metrics: SchedulerMetrics;
  readonly owner: string;
  private readonly pollMs: number;
  private readonly tickTimeoutMs: number;
  private readonly retryBaseMs: number;
  private readonly retryCapMs: number;
  private readonly log: Logger;
  private registered = false;
  private timer: NodeJS.Timeout | null = null;
  private pass: Promise<unknown> | null = null;
  private running = false;

  constructor(private readonly options: SchedulerOptions) {
    const names = new Set<string>();
    for (const task of options.tasks) {
      assertSpec(task.spec);
      if (names.has(task.name)) throw new Error(`schedule ${task.name} is declared twice`);
      names.add(task.name);
    }
    this.store = new TickStore(options.dataSource);
    this.metrics = new SchedulerMetrics(options.registry);
    this.owner = options.owner ?? `${hostname()}-${randomUUID().slice(0, 8)}`;
    this.pollMs = options.pollMs ?? 5000;
    this.tickTimeoutMs = options.tickTimeoutMs ?? 60_000;
    this.retryBaseMs = options.retryBaseMs ?? 5000;
    this.retryCapMs = options.retryCapMs ?? 300_000;
    this.log = options.logger.child({ component: 'scheduler' });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  /** Stops polling and waits for a run in progress to commit or roll back. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.pass;
  }

  /**
   * One pass: every due schedule this replica can take is run. Exposed for tests and for a
   * one-shot trigger (a CronJob); the loop calls it every `pollMs`.
   */
  async runDue(): Promise<TickOutcome[]> {
    if (!this.registered) {
      for (const task of this.options.tasks) await this.store.register(task);
      this.registered = true;
    }
    const outcomes: TickOutcome[] = [];
    const due = await this.store.dueKeys();
    for (const task of this.options.tasks) {
      if (!due.has(keyOf(task))) continue;
      const outcome = await this.runTask(task);
      if (outcome) outcomes.push(outcome);
    }
    return outcomes;
  }

  private async runTask(task: ScheduledTask): Promise<TickOutcome | null> {
    try {
      const plan = await this.store.runDue(task, this.owner, this.tickTimeoutMs, (p, manager) =>
        task.run({ ...p, name: task.name, spec: task.spec, manager }),
      );
      if (!plan) return null;
      this.metrics.runs.inc({ schedule: task.name, outcome: 'ran' });
      if (plan.missed > 0) this.metrics.missed.inc({ schedule: task.name }, plan.missed);
      this.metrics.lastSlot.set({ schedule: task.name }, plan.slot.getTime() / 1000);
      const fields = {
        schedule: task.name,
        spec: specLabel(task.spec),
        slot: plan.slot.toISOString(),
        missed: plan.missed,
      };
      if (plan.missed > 0) this.log.warn(fields, 'schedule caught up on missed slots in one run');
      else this.log.debug(fields, 'schedule ran');
      return { name: task.name, outcome: 'ran', plan };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof TickRunError) {
        this.metrics.runs.inc({ schedule: task.name, outcome: 'failed' });
        await this.store
          .recordFailure(task, error.dueAt, message, {
            baseMs: this.retryBaseMs,
            capMs: this.retryCapMs,
          })
          .catch(() => undefined); // the database is the likely failure; the slot stays due
      }
      this.log.warn(
        { schedule: task.name, error: { type: errorType(error), message } },
        'schedule run failed; the slot stays due',
      );
      return { name: task.name, outcome: 'failed', error: message };
    }
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.pass = this.runDue()
        .catch((error: unknown) => {
          this.log.warn({ error: { type: errorType(error) } }, 'schedule pass failed');
        })
        .finally(() => {
          // Jittered, so replicas started together do not poll in lockstep.
          this.schedule(this.pollMs * (0.75 + Math.random() * 0.5));
        });
    }, delayMs);
  }
}

function errorType(error: unknown): string {
  if (error instanceof TickRunError)
    return error.cause instanceof Error ? error.cause.name : 'Error';
  return error instanceof Error ? error.name : typeof error;
}
