import { createSchemaDataSource } from '@shopwire/database';
import { createLogger } from '@shopwire/observability';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import { scheduleTicksTableSql, Scheduler, type ScheduledTask, type Tick } from '../src';

// Real Postgres; three schedulers, each with its own data source (its own pool of connections),
// competing for the same schedule in a schema of this test's own.

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SCHEMA = `sched_it_${randomUUID().slice(0, 8)}`;
const logger = createLogger('scheduler-it', process.env.TEST_LOG_LEVEL ?? 'warn');
const EVERY_MS = 1000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface RunRow {
  name: string;
  slot: Date;
  due_slot: Date;
  missed: number;
  owner: string;
}

/** A task that records each run in the run's own transaction (so a rolled-back run leaves nothing). */
function recordingTask(name: string, owner: string, fail?: () => boolean): ScheduledTask {
  return {
    name,
    spec: { everyMs: EVERY_MS },
    async run(tick: Tick) {
      await tick.manager.query(
        `INSERT INTO "${SCHEMA}".runs (name, slot, due_slot, missed, owner) VALUES ($1, $2, $3, $4, $5)`,
        [name, tick.slot, tick.dueSlot, tick.missed, owner],
      );
      if (fail?.()) throw new Error('the task failed on purpose');
    },
  };
}

describe('Scheduler on Postgres', () => {
  let pool: Pool;
  const sources: DataSource[] = [];

  async function dataSource(): Promise<DataSource> {
    const source = createSchemaDataSource({ url: DATABASE_URL, schema: SCHEMA, poolSize: 2 });
    await source.initialize();
    sources.push(source);
    return source;
  }

  async function runs(name: string): Promise<RunRow[]> {
    const { rows } = await pool.query<RunRow>(
      `SELECT name, slot, due_slot, missed, owner FROM "${SCHEMA}".runs WHERE name = $1 ORDER BY slot`,
      [name],
    );
    return rows;
  }

  async function threeSchedulers(
    name: string,
    fail?: (owner: string) => () => boolean,
  ): Promise<Scheduler[]> {
    const schedulers: Scheduler[] = [];
    for (const owner of ['a', 'b', 'c']) {
      schedulers.push(
        new Scheduler({
          dataSource: await dataSource(),
          tasks: [recordingTask(name, owner, fail?.(owner))],
          logger,
          owner,
          pollMs: 100,
          retryBaseMs: 300,
          retryCapMs: 300,
        }),
      );
    }
    return schedulers;
  }

  beforeAll(async () => {
    pool = new Pool({ connectionString: DATABASE_URL, max: 2 });
    await pool.query(`CREATE SCHEMA "${SCHEMA}"`);
    for (const sql of scheduleTicksTableSql(SCHEMA).up) await pool.query(sql);
    await pool.query(`CREATE TABLE "${SCHEMA}".runs (
      name text NOT NULL, slot timestamptz NOT NULL, due_slot timestamptz NOT NULL,
      missed integer NOT NULL, owner text NOT NULL)`);
  });

  afterAll(async () => {
    await Promise.all(sources.map((s) => s.destroy()));
    await pool.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
    await pool.end();
  });

  it('runs each slot once across three schedulers, and a long pause as one catch-up run', async () => {
    const schedulers = await threeSchedulers('steady');
    schedulers.forEach((s) => s.start());
    await sleep(5_500);
    await Promise.all(schedulers.map((s) => s.stop()));

    const steady = await runs('steady');
    expect(steady.length).toBeGreaterThanOrEqual(4);
    const slots = steady.map((r) => r.slot.getTime());
    // One run per slot, no slot skipped, none late enough to fold another in.
    expect(new Set(slots).size).toBe(slots.length);
    slots.slice(1).forEach((slot, i) => expect(slot - slots[i]).toBe(EVERY_MS));
    expect(steady.every((r) => r.missed === 0)).toBe(true);

    // Every scheduler down for more than four slots, then back.
    await sleep(4_300);
    const resumedAt = Date.now();
    schedulers.forEach((s) => s.start());
    await sleep(2_500);
    await Promise.all(schedulers.map((s) => s.stop()));

    const after = (await runs('steady')).slice(steady.length);
    const catchUp = after[0];
    expect(catchUp.missed).toBeGreaterThanOrEqual(3);
    expect(catchUp.due_slot.getTime()).toBe(slots[slots.length - 1] + EVERY_MS);
    expect(catchUp.slot.getTime()).toBeLessThanOrEqual(resumedAt);
    expect(catchUp.slot.getTime()).toBeGreaterThan(resumedAt - EVERY_MS);
    // After the catch-up, back to one run per slot.
    expect(after.length).toBeGreaterThanOrEqual(2);
    after.slice(1).forEach((run, i) => {
      expect(run.slot.getTime() - after[i].slot.getTime()).toBe(EVERY_MS);
      expect(run.missed).toBe(0);
    });

    const state = await schedulers[0].store.state({ name: 'steady', spec: { everyMs: EVERY_MS } });
    expect(state?.runs).toBe(steady.length + after.length);
    expect(state?.missedSlots).toBe(catchUp.missed);
  });

  it('rolls a failed run back and retries the slot after the shared backoff', async () => {
    let failuresLeft = 2;
    const schedulers = await threeSchedulers('flaky', () => () => failuresLeft-- > 0);
    schedulers.forEach((s) => s.start());
    await sleep(3_500);
    await Promise.all(schedulers.map((s) => s.stop()));

    const flaky = await runs('flaky');
    // The failed attempts wrote inside their rolled-back transactions: nothing of them is left.
    expect(flaky.length).toBeGreaterThanOrEqual(2);
    const slots = flaky.map((r) => r.slot.getTime());
    expect(new Set(slots).size).toBe(slots.length);
    expect(failuresLeft).toBeLessThan(0);
    const state = await schedulers[0].store.state({ name: 'flaky', spec: { everyMs: EVERY_MS } });
    expect(state).toMatchObject({ failures: 0, lastError: null, retryAt: null });
  });
});
