import { schemaOf, withTransaction } from '@shopwire/database';
import type { DataSource, EntityManager } from 'typeorm';
import { assertSpec, planTick, slotAfter, type ScheduleSpec, type TickPlan } from './slots';

/** A schedule as stored: its name and spec are the row's key. */
export interface ScheduleKey {
  name: string;
  spec: ScheduleSpec;
}

/** What a stored schedule looks like (for status pages and tests). */
export interface ScheduleState {
  name: string;
  everyMs: number;
  offsetMs: number;
  nextDueAt: Date;
  lastSlot: Date | null;
  lastRunAt: Date | null;
  lastOwner: string | null;
  runs: number;
  missedSlots: number;
  failures: number;
  retryAt: Date | null;
  lastError: string | null;
}

interface StateRow {
  name: string;
  every_ms: string;
  offset_ms: string;
  next_due_at: Date;
  last_slot: Date | null;
  last_run_at: Date | null;
  last_owner: string | null;
  runs: string;
  missed_slots: string;
  failures: number;
  retry_at: Date | null;
  last_error: string | null;
}

const KEY = `name = $1 AND every_ms = $2 AND offset_ms = $3`;

function keyParams(key: ScheduleKey): [string, number, number] {
  return [key.name, key.spec.everyMs, key.spec.offsetMs ?? 0];
}

/**
 * The lease table of a schema's schedules, in parameterised SQL. A run is one transaction: the
 * due row is locked with `FOR UPDATE SKIP LOCKED` (a replica that finds it locked moves on —
 * someone else is running it), the work runs on the same transaction's manager, and the row's
 * due time moves past now before the commit. So a tick either ran and advanced, or neither: a
 * replica that dies mid-run releases the lock with its connection, and the next poll of any
 * replica runs that slot again.
 */
export class TickStore {
  private readonly table: string;

  constructor(readonly dataSource: DataSource) {
    this.table = `"${schemaOf(dataSource)}".schedule_ticks`;
  }

  /** Adds the schedule if it is not stored yet, first due at the slot after the database's now. */
  register(key: ScheduleKey): Promise<void> {
    assertSpec(key.spec);
    return withTransaction(this.dataSource, async (manager) => {
      const now = await dbNow(manager);
      await manager.query(
        `INSERT INTO ${this.table} (name, every_ms, offset_ms, next_due_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (name, every_ms, offset_ms) DO NOTHING`,
        [...keyParams(key), slotAfter(now, key.spec)],
      );
    });
  }

  /**
   * The keys (`keyOf`) of the schedules due now and not backing off: one statement, so a poll
   * that finds nothing due costs one round trip rather than a transaction per schedule. Rows
   * another replica is running are listed too; `runDue` skips them.
   */
  async dueKeys(): Promise<Set<string>> {
    const rows: { name: string; every_ms: string; offset_ms: string }[] =
      await this.dataSource.query(
        `SELECT name, every_ms, offset_ms FROM ${this.table}
         WHERE next_due_at <= now() AND (retry_at IS NULL OR retry_at <= now())`,
      );
    return new Set(
      rows.map((row) =>
        keyOf({
          name: row.name,
          spec: { everyMs: Number(row.every_ms), offsetMs: Number(row.offset_ms) },
        }),
      ),
    );
  }

  /**
   * Runs the schedule if it is due and no other replica is running it. Returns the plan that
   * ran, or null (not due, backing off after a failure, or taken). `work` throwing rolls the
   * whole run back (the slot stays due) and is rethrown as a `TickRunError`.
   */
  runDue(
    key: ScheduleKey,
    owner: string,
    timeoutMs: number,
    work: (plan: TickPlan, manager: EntityManager) => Promise<void>,
  ): Promise<TickPlan | null> {
    return withTransaction(this.dataSource, async (manager) => {
      // A run that hangs (its replica paused, a query stuck) must not hold the lease forever:
      // the server ends the session, which rolls the run back and frees the row.
      await manager.query(
        `SELECT set_config('statement_timeout', $1, true),
                set_config('idle_in_transaction_session_timeout', $1, true)`,
        [String(timeoutMs)],
      );
      const rows: { next_due_at: Date; now: Date }[] = await manager.query(
        `SELECT next_due_at, now() AS now FROM ${this.table}
         WHERE ${KEY} AND next_due_at <= now() AND (retry_at IS NULL OR retry_at <= now())
         FOR UPDATE SKIP LOCKED`,
        keyParams(key),
      );
      if (!rows[0]) return null;
      const plan = planTick(rows[0].next_due_at, rows[0].now, key.spec);
      if (!plan) return null;
      try {
        await withTimeout(work(plan, manager), timeoutMs, key.name);
      } catch (error) {
        throw new TickRunError(rows[0].next_due_at, error);
      }
      await manager.query(
        `UPDATE ${this.table} SET next_due_at = $4, last_slot = $5, last_run_at = now(),
           last_owner = $6, runs = runs + 1, missed_slots = missed_slots + $7, failures = 0,
           retry_at = NULL, last_error = NULL
         WHERE ${KEY}`,
        [...keyParams(key), plan.nextDueAt, plan.slot, owner, plan.missed],
      );
      return plan;
    });
  }

  /**
   * After a failed run: the schedule waits `min(cap, base × 2^(failures−1))` before any replica
   * tries it again, so a persistent failure is not retried by every replica at every poll.
   * Only if the row is still at the due time the run saw (no other replica has run it since).
   */
  async recordFailure(
    key: ScheduleKey,
    dueAt: Date | null,
    message: string,
    backoff: { baseMs: number; capMs: number },
  ): Promise<void> {
    await this.dataSource.query(
      `UPDATE ${this.table} SET failures = failures + 1, last_error = left($4, 500),
         retry_at = now() + make_interval(secs => least($6::float8,
           $5::float8 * power(2, least(failures, 30))) / 1000)
       WHERE ${KEY} AND ($7::timestamptz IS NULL OR next_due_at = $7)`,
      [...keyParams(key), message, backoff.baseMs, backoff.capMs, dueAt],
    );
  }

  async state(key: ScheduleKey): Promise<ScheduleState | null> {
    const rows: StateRow[] = await this.dataSource.query(
      `SELECT * FROM ${this.table} WHERE ${KEY}`,
      keyParams(key),
    );
    const row = rows[0];
    if (!row) return null;
    return {
      name: row.name,
      everyMs: Number(row.every_ms),
      offsetMs: Number(row.offset_ms),
      nextDueAt: row.next_due_at,
      lastSlot: row.last_slot,
      lastRunAt: row.last_run_at,
      lastOwner: row.last_owner,
      runs: Number(row.runs),
      missedSlots: Number(row.missed_slots),
      failures: row.failures,
      retryAt: row.retry_at,
      lastError: row.last_error,
    };
  }
}

/** A schedule's row key as one string, for `dueKeys`. */
export function keyOf(key: ScheduleKey): string {
  return keyParams(key).join('\u0000');
}

/** A run's work failed; carries the due time the run saw, for `recordFailure`. */
export class TickRunError extends Error {
  override readonly name = 'TickRunError';
  constructor(
    readonly dueAt: Date,
    override readonly cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

async function dbNow(manager: EntityManager): Promise<Date> {
  const rows: { now: Date }[] = await manager.query('SELECT now() AS now');
  return rows[0].now;
}

function withTimeout<T>(work: Promise<T>, timeoutMs: number, name: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`schedule ${name} ran longer than ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
