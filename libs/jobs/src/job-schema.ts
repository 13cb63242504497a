import { assertIdentifier } from '@shopwire/database';

/**
 * DDL for `<schema>.jobs` and `<schema>.job_outputs`, for a service's migration (`up` in order,
 * `down` to revert). The service also needs `outboxTableSql(schema)` from `@shopwire/database`:
 * a submitted job is dispatched through the outbox.
 *
 * Output bytes live in their own table, one row per committed step, so listing jobs never reads
 * them and a step's output commits with the step's checkpoint.
 */
export function jobsTableSql(schema: string): { up: string[]; down: string[] } {
  const s = assertIdentifier(schema);
  return {
    up: [
      `CREATE TABLE "${s}".jobs (
         id uuid PRIMARY KEY,
         type text NOT NULL,
         params jsonb NOT NULL,
         status text NOT NULL
           CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
         processed bigint NOT NULL DEFAULT 0,
         total bigint,
         checkpoint jsonb,
         output_seq integer NOT NULL DEFAULT 0,
         attempts integer NOT NULL DEFAULT 0,
         max_attempts integer NOT NULL,
         lease_owner text,
         lease_expires_at timestamptz,
         cancel_requested_at timestamptz,
         error jsonb,
         result jsonb,
         submitted_by text,
         created_at timestamptz NOT NULL DEFAULT now(),
         started_at timestamptz,
         updated_at timestamptz NOT NULL DEFAULT now(),
         finished_at timestamptz,
         callback_url text,
         callback_status text CHECK (callback_status IN ('pending', 'delivered', 'failed')),
         callback_attempts integer NOT NULL DEFAULT 0,
         callback_next_at timestamptz,
         callback_lease_until timestamptz,
         callback_last_error text,
         callback_delivered_at timestamptz
       )`,
      `CREATE INDEX jobs_status_created_idx ON "${s}".jobs (status, created_at DESC)`,
      `CREATE INDEX jobs_type_created_idx ON "${s}".jobs (type, created_at DESC)`,
      // What the reaper scans: running jobs by lease expiry.
      `CREATE INDEX jobs_lease_idx ON "${s}".jobs (lease_expires_at) WHERE status = 'running'`,
      // What the callback sender scans: pending callbacks by due time.
      `CREATE INDEX jobs_callback_due_idx ON "${s}".jobs (callback_next_at)
         WHERE callback_status = 'pending'`,
      `CREATE TABLE "${s}".job_outputs (
         job_id uuid NOT NULL REFERENCES "${s}".jobs (id) ON DELETE CASCADE,
         seq integer NOT NULL,
         data bytea NOT NULL,
         PRIMARY KEY (job_id, seq)
       )`,
    ],
    down: [`DROP TABLE IF EXISTS "${s}".job_outputs`, `DROP TABLE IF EXISTS "${s}".jobs`],
  };
}

/**
 * DDL that adds, to a `jobs` table made by `jobsTableSql`, what scheduled submissions need (a
 * later migration of the service; idempotent, so it may also follow a fresh `jobsTableSql`):
 * - `idempotency_key`, unique when set: a submission retried with the same key (a scheduler's
 *   tick run again after a rollback, a client's retry) finds the job instead of adding one;
 * - an index on the active jobs by `params.shop`, for cancelling a shop's jobs at uninstall.
 */
export function jobsKeysSql(schema: string): { up: string[]; down: string[] } {
  const s = assertIdentifier(schema);
  return {
    up: [
      `ALTER TABLE "${s}".jobs ADD COLUMN IF NOT EXISTS idempotency_key text`,
      `CREATE UNIQUE INDEX IF NOT EXISTS jobs_idempotency_key_idx ON "${s}".jobs (idempotency_key)
         WHERE idempotency_key IS NOT NULL`,
      `CREATE INDEX IF NOT EXISTS jobs_active_shop_idx ON "${s}".jobs ((params->>'shop'))
         WHERE status IN ('queued', 'running')`,
    ],
    down: [
      `DROP INDEX IF EXISTS "${s}".jobs_active_shop_idx`,
      `DROP INDEX IF EXISTS "${s}".jobs_idempotency_key_idx`,
      `ALTER TABLE "${s}".jobs DROP COLUMN IF EXISTS idempotency_key`,
    ],
  };
}
