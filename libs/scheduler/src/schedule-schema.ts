import { assertIdentifier } from '@shopwire/database';

/**
 * DDL for `<schema>.schedule_ticks`, for a service's migration (`up` in order, `down` to revert).
 *
 * One row per schedule and spec: a row is the lease every replica competes for. Keying on the
 * spec too means a changed interval starts a row of its own instead of two configurations
 * overwriting each other's due time during a rolling deploy; the old row just stops being claimed.
 */
export function scheduleTicksTableSql(schema: string): { up: string[]; down: string[] } {
  const s = assertIdentifier(schema);
  return {
    up: [
      `CREATE TABLE "${s}".schedule_ticks (
         name text NOT NULL,
         every_ms bigint NOT NULL CHECK (every_ms >= 1000),
         offset_ms bigint NOT NULL CHECK (offset_ms >= 0 AND offset_ms < every_ms),
         next_due_at timestamptz NOT NULL,
         last_slot timestamptz,
         last_run_at timestamptz,
         last_owner text,
         runs bigint NOT NULL DEFAULT 0,
         missed_slots bigint NOT NULL DEFAULT 0,
         failures integer NOT NULL DEFAULT 0,
         retry_at timestamptz,
         last_error text,
         created_at timestamptz NOT NULL DEFAULT now(),
         PRIMARY KEY (name, every_ms, offset_ms)
       )`,
    ],
    down: [`DROP TABLE IF EXISTS "${s}".schedule_ticks`],
  };
}
