import { enqueueOutbox, schemaOf, withTransaction } from '@shopwire/database';
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import {
  JobAbortedError,
  type JobCompletion,
  type JobRecord,
  type JobStatus,
  type StepOutcome,
  type StepTransaction,
} from './job';
import { encodeDispatch } from '@shopwire/contracts';
import { toRecord, type JobRow } from './job-row';

export interface NewJob {
  type: string;
  params: unknown;
  callbackUrl?: string | null;
  submittedBy?: string | null;
  maxAttempts: number;
}

export interface JobFilter {
  type?: string;
  status?: JobStatus;
  limit?: number;
  /** Only jobs this caller submitted. */
  submittedBy?: string;
  /** Only jobs whose `params.shop` is one of these. */
  shops?: string[];
  /** Only jobs after this one in the list's order (newest first): the previous page's last id. */
  after?: string;
}

export type CancelOutcome =
  { kind: 'not-found' } | { kind: 'cancelled' | 'cancelling' | 'finished'; job: JobRecord };

export interface ReapResult {
  requeued: JobRecord[];
  failed: JobRecord[];
  cancelled: JobRecord[];
}

/** Appended to every transition into a terminal status: a callback becomes due at once. */
const CALLBACK_DUE = `callback_status = CASE WHEN callback_url IS NULL THEN NULL ELSE 'pending' END,
  callback_next_at = CASE WHEN callback_url IS NULL THEN NULL ELSE now() END`;

/** A worker may write a job only while it holds the lease: the fence against a lost worker. */
const FENCE = `id = $1 AND lease_owner = $2 AND status = 'running'`;

/**
 * The job table of one service's schema, in parameterised SQL. Every write a worker makes is
 * fenced by its lease (`lease_owner` = the worker and status running), so a worker that lost its
 * lease — paused, partitioned, or presumed dead and replaced — can no longer change the job.
 * `UPDATE … RETURNING` is wrapped in a CTE so TypeORM returns plain rows.
 */
export class JobStore {
  readonly schema: string;
  private readonly jobs: string;
  private readonly outputs: string;

  constructor(
    readonly dataSource: DataSource,
    /** The Kafka topic jobs are dispatched on, `shopwire.jobs.<service>.v1`. */
    readonly topic: string,
  ) {
    this.schema = schemaOf(dataSource);
    this.jobs = `"${this.schema}".jobs`;
    this.outputs = `"${this.schema}".job_outputs`;
  }

  /** Stores a queued job and its dispatch message in one transaction. */
  submit(job: NewJob): Promise<JobRecord> {
    const id = randomUUID();
    return withTransaction(this.dataSource, async (manager) => {
      const rows: JobRow[] = await manager.query(
        `INSERT INTO ${this.jobs} (id, type, params, status, max_attempts, callback_url, submitted_by)
         VALUES ($1, $2, $3::jsonb, 'queued', $4, $5, $6) RETURNING *`,
        [
          id,
          job.type,
          JSON.stringify(job.params),
          job.maxAttempts,
          job.callbackUrl ?? null,
          job.submittedBy ?? null,
        ],
      );
      await this.dispatch(manager, [{ id, type: job.type }]);
      return toRecord(rows[0]);
    });
  }

  /**
   * Stores a queued job unless one with the same idempotency key exists (whatever its status):
   * then that one is returned, `created: false`, and nothing is dispatched. With `manager`, the
   * job and its dispatch join the caller's transaction (e.g. a scheduler's tick), so they commit
   * or vanish with the caller's other writes. Needs `jobsKeysSql` in the schema.
   */
  async submitOnce(
    job: NewJob & { idempotencyKey: string },
    manager?: EntityManager,
  ): Promise<{ job: JobRecord; created: boolean }> {
    if (!manager) {
      return withTransaction(this.dataSource, (tx) => this.submitOnce(job, tx));
    }
    const id = randomUUID();
    // A concurrent submission of the same key waits for the first to commit, then finds its row.
    const rows: JobRow[] = await manager.query(
      `WITH i AS (
         INSERT INTO ${this.jobs}
           (id, type, params, status, max_attempts, callback_url, submitted_by, idempotency_key)
         VALUES ($1, $2, $3::jsonb, 'queued', $4, $5, $6, $7)
         ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
         RETURNING *)
       SELECT * FROM i`,
      [
        id,
        job.type,
        JSON.stringify(job.params),
        job.maxAttempts,
        job.callbackUrl ?? null,
        job.submittedBy ?? null,
        job.idempotencyKey,
      ],
    );
    if (rows[0]) {
      await this.dispatch(manager, [{ id, type: job.type }]);
      return { job: toRecord(rows[0]), created: true };
    }
    const existing: JobRow[] = await manager.query(
      `SELECT * FROM ${this.jobs} WHERE idempotency_key = $1`,
      [job.idempotencyKey],
    );
    return { job: toRecord(existing[0]), created: false };
  }

  async get(id: string): Promise<JobRecord | null> {
    const rows: JobRow[] = await this.dataSource.query(`SELECT * FROM ${this.jobs} WHERE id = $1`, [
      id,
    ]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** Newest first. */
  async list(filter: JobFilter = {}): Promise<JobRecord[]> {
    const rows: JobRow[] = await this.dataSource.query(
      `SELECT * FROM ${this.jobs}
       WHERE ($1::text IS NULL OR type = $1) AND ($2::text IS NULL OR status = $2)
         AND ($4::text IS NULL OR submitted_by = $4)
         AND ($5::text[] IS NULL OR params->>'shop' = ANY($5::text[]))
       -- Keyset paging: the row of the previous page's last job positions the next page, so a
       -- page costs the same however deep it is and a job submitted meanwhile shifts nothing.
       AND ($6::uuid IS NULL OR (created_at, id) < (SELECT created_at, id FROM ${this.jobs} WHERE id = $6))
       ORDER BY created_at DESC, id DESC LIMIT $3`,
      [
        filter.type ?? null,
        filter.status ?? null,
        filter.limit ?? 100,
        filter.submittedBy ?? null,
        filter.shops ?? null,
        filter.after ?? null,
      ],
    );
    return rows.map(toRecord);
  }

  /**
   * A queued job is cancelled at once; a running one is marked, and its worker notices at its
   * next lease renewal, stops it and sets it cancelled.
   */
  async requestCancel(id: string): Promise<CancelOutcome> {
    const rows: JobRow[] = await this.dataSource.query(
      `WITH u AS (
         UPDATE ${this.jobs} SET
           cancel_requested_at = coalesce(cancel_requested_at, now()),
           updated_at = now(),
           finished_at = CASE WHEN status = 'queued' THEN now() ELSE finished_at END,
           callback_status = CASE WHEN status = 'queued' AND callback_url IS NOT NULL
                             THEN 'pending' ELSE callback_status END,
           callback_next_at = CASE WHEN status = 'queued' AND callback_url IS NOT NULL
                              THEN now() ELSE callback_next_at END,
           status = CASE WHEN status = 'queued' THEN 'cancelled' ELSE status END
         WHERE id = $1 AND status IN ('queued', 'running')
         RETURNING *)
       SELECT * FROM u`,
      [id],
    );
    if (rows[0]) {
      const job = toRecord(rows[0]);
      return { kind: job.status === 'cancelled' ? 'cancelled' : 'cancelling', job };
    }
    const job = await this.get(id);
    return job ? { kind: 'finished', job } : { kind: 'not-found' };
  }

  /**
   * `requestCancel` for every queued or running job whose params name `shop` (`params.shop`),
   * e.g. when the shop uninstalls the app: queued ones are cancelled at once, running ones are
   * marked and stopped by their worker. With `manager`, inside the caller's transaction. Returns
   * the jobs changed.
   */
  async requestCancelForShop(shop: string, manager?: EntityManager): Promise<JobRecord[]> {
    const rows: JobRow[] = await (manager ?? this.dataSource).query(
      `WITH u AS (
         UPDATE ${this.jobs} SET
           cancel_requested_at = coalesce(cancel_requested_at, now()),
           updated_at = now(),
           finished_at = CASE WHEN status = 'queued' THEN now() ELSE finished_at END,
           callback_status = CASE WHEN status = 'queued' AND callback_url IS NOT NULL
                             THEN 'pending' ELSE callback_status END,
           callback_next_at = CASE WHEN status = 'queued' AND callback_url IS NOT NULL
                              THEN now() ELSE callback_next_at END,
           status = CASE WHEN status = 'queued' THEN 'cancelled' ELSE status END
         WHERE params->>'shop' = $1 AND status IN ('queued', 'running')
           AND cancel_requested_at IS NULL
         RETURNING *)
       SELECT * FROM u`,
      [shop],
    );
    return rows.map(toRecord);
  }

  /**
   * Takes the lease of a queued job, or of a running one whose lease expired (its worker is
   * gone). null when the job is someone else's, finished, cancelled or out of attempts.
   */
  async claim(id: string, owner: string, leaseMs: number): Promise<JobRecord | null> {
    const rows: JobRow[] = await this.dataSource.query(
      `WITH u AS (
         UPDATE ${this.jobs} SET
           status = 'running', lease_owner = $2,
           lease_expires_at = now() + make_interval(secs => $3::float8 / 1000),
           attempts = attempts + 1, started_at = coalesce(started_at, now()), updated_at = now()
         WHERE id = $1
           AND (status = 'queued' OR (status = 'running' AND lease_expires_at < now()))
           AND cancel_requested_at IS NULL AND attempts < max_attempts
         RETURNING *)
       SELECT * FROM u`,
      [id, owner, leaseMs],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /**
   * Extends the leases this worker holds. Returns, per job still held, whether a cancel was
   * requested; a job missing from the answer is no longer this worker's.
   */
  async renew(
    ids: readonly string[],
    owner: string,
    leaseMs: number,
  ): Promise<Map<string, { cancelRequested: boolean }>> {
    if (ids.length === 0) return new Map();
    const rows: { id: string; cancel: boolean }[] = await this.dataSource.query(
      `WITH u AS (
         UPDATE ${this.jobs} SET lease_expires_at = now() + make_interval(secs => $3::float8 / 1000)
         WHERE id = ANY($1::uuid[]) AND lease_owner = $2 AND status = 'running'
         RETURNING id, cancel_requested_at IS NOT NULL AS cancel)
       SELECT * FROM u`,
      [ids, owner, leaseMs],
    );
    return new Map(rows.map((row) => [row.id, { cancelRequested: row.cancel }]));
  }

  async progress(
    id: string,
    owner: string,
    processed: number,
    total: number | undefined,
  ): Promise<void> {
    const rows: unknown[] = await this.dataSource.query(
      `WITH u AS (
         UPDATE ${this.jobs} SET processed = $3, total = coalesce($4, total), updated_at = now()
         WHERE ${FENCE} RETURNING id)
       SELECT * FROM u`,
      [id, owner, processed, total ?? null],
    );
    if (rows.length === 0) throw new JobAbortedError('lease-lost');
  }

  /**
   * Runs one step: locks the job row (fenced by the lease), runs `work`, appends its output and
   * records its checkpoint and progress — all in one transaction.
   */
  async step<C>(
    id: string,
    owner: string,
    work: (tx: StepTransaction) => Promise<StepOutcome<C>>,
  ): Promise<StepOutcome<C>> {
    return withTransaction(this.dataSource, async (manager) => {
      const seq = await this.lockFenced(manager, id, owner);
      const chunks: Buffer[] = [];
      const outcome = await work({
        manager,
        appendOutput: (data) => chunks.push(typeof data === 'string' ? Buffer.from(data) : data),
      });
      const next = await this.appendOutputs(manager, id, seq, chunks);
      await manager.query(
        `UPDATE ${this.jobs} SET checkpoint = $2::jsonb, output_seq = $3,
           processed = coalesce($4, processed), total = coalesce($5, total), updated_at = now()
         WHERE id = $1`,
        [
          id,
          JSON.stringify(outcome.checkpoint ?? null),
          next,
          outcome.processed ?? null,
          outcome.total ?? null,
        ],
      );
      return outcome;
    });
  }

  /** Marks the job succeeded with its result metadata (and last output bytes), fenced. */
  complete(id: string, owner: string, completion: JobCompletion): Promise<JobRecord> {
    return withTransaction(this.dataSource, async (manager) => {
      const seq = await this.lockFenced(manager, id, owner);
      const tail = completion.tail === undefined ? [] : [Buffer.from(completion.tail)];
      const next = await this.appendOutputs(manager, id, seq, tail);
      const sizes: { size: string }[] = await manager.query(
        `SELECT coalesce(sum(octet_length(data)), 0)::bigint AS size FROM ${this.outputs}
         WHERE job_id = $1`,
        [id],
      );
      const result = {
        contentType: completion.contentType,
        filename: completion.filename ?? null,
        size: Number(sizes[0].size),
        summary: completion.summary ?? null,
      };
      const rows: JobRow[] = await manager.query(
        `WITH u AS (
           UPDATE ${this.jobs} SET status = 'succeeded', result = $2::jsonb, output_seq = $3,
             finished_at = now(), updated_at = now(), lease_owner = NULL, lease_expires_at = NULL,
             ${CALLBACK_DUE}
           WHERE id = $1 RETURNING *)
         SELECT * FROM u`,
        [id, JSON.stringify(result), next],
      );
      return toRecord(rows[0]);
    });
  }

  /** Ends the job as failed or cancelled, fenced; null when it was no longer this worker's. */
  async finish(
    id: string,
    owner: string,
    status: 'failed' | 'cancelled',
    error: { type: string; message: string } | null,
  ): Promise<JobRecord | null> {
    const rows: JobRow[] = await this.dataSource.query(
      `WITH u AS (
         UPDATE ${this.jobs} SET status = $3, error = $4::jsonb, finished_at = now(),
           updated_at = now(), lease_owner = NULL, lease_expires_at = NULL, ${CALLBACK_DUE}
         WHERE ${FENCE} RETURNING *)
       SELECT * FROM u`,
      [id, owner, status, error === null ? null : JSON.stringify(error)],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /**
   * Hands a running job back (graceful shutdown, or an outage while running): queued again with
   * its checkpoint, and dispatched again, in one transaction. The attempt it used is not refunded.
   */
  release(id: string, owner: string): Promise<boolean> {
    return withTransaction(this.dataSource, async (manager) => {
      const rows: { id: string; type: string }[] = await manager.query(
        `WITH u AS (
           UPDATE ${this.jobs} SET status = 'queued', lease_owner = NULL, lease_expires_at = NULL,
             updated_at = now()
           WHERE ${FENCE} RETURNING id, type)
         SELECT * FROM u`,
        [id, owner],
      );
      await this.dispatch(manager, rows);
      return rows.length === 1;
    });
  }

  /**
   * Jobs whose worker vanished (lease expired): requeued and dispatched again, or — when a cancel
   * was requested or the attempts are used up — finished. SKIP LOCKED lets every replica run this
   * without two of them taking the same job.
   */
  reapExpired(limit = 100): Promise<ReapResult> {
    return withTransaction(this.dataSource, async (manager) => {
      const rows: JobRow[] = await manager.query(
        `WITH stale AS (
           SELECT id FROM ${this.jobs}
           WHERE status = 'running' AND lease_expires_at < now()
           ORDER BY lease_expires_at LIMIT $1 FOR UPDATE SKIP LOCKED),
         u AS (
           UPDATE ${this.jobs} j SET
             status = CASE WHEN j.cancel_requested_at IS NOT NULL THEN 'cancelled'
                           WHEN j.attempts >= j.max_attempts THEN 'failed' ELSE 'queued' END,
             error = CASE WHEN j.cancel_requested_at IS NULL AND j.attempts >= j.max_attempts
                     THEN jsonb_build_object('type', 'WorkerLost', 'message',
                          'the worker was lost on each of ' || j.attempts || ' attempts')
                     ELSE j.error END,
             lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
           FROM stale WHERE j.id = stale.id
           RETURNING j.*)
         SELECT * FROM u`,
        [limit],
      );
      const result: ReapResult = { requeued: [], failed: [], cancelled: [] };
      for (const row of rows.map(toRecord)) {
        if (row.status === 'queued') result.requeued.push(row);
        else if (row.status === 'failed') result.failed.push(row);
        else result.cancelled.push(row);
      }
      const finished = [...result.failed, ...result.cancelled].map((job) => job.id);
      if (finished.length > 0) {
        await manager.query(
          `UPDATE ${this.jobs} SET finished_at = now(), ${CALLBACK_DUE} WHERE id = ANY($1::uuid[])`,
          [finished],
        );
      }
      await this.dispatch(manager, result.requeued);
      return result;
    });
  }

  /**
   * Deletes finished jobs (and, by cascade, their outputs) submitted more than `retentionMs`
   * ago, at most `limit` at a time so a large backlog goes over several passes, never in one
   * long lock. A job whose callback is still pending is kept until it is delivered or given up.
   */
  async deleteExpired(retentionMs: number, limit = 1000): Promise<number> {
    const rows: unknown[] = await this.dataSource.query(
      `WITH old AS (
         SELECT id FROM ${this.jobs}
         WHERE status IN ('succeeded', 'failed', 'cancelled')
           AND created_at < now() - make_interval(secs => $1::float8 / 1000)
           AND callback_status IS DISTINCT FROM 'pending'
         LIMIT $2),
       d AS (DELETE FROM ${this.jobs} j USING old WHERE j.id = old.id RETURNING j.id)
       SELECT id FROM d`,
      [retentionMs, limit],
    );
    return rows.length;
  }

  async countByTypeAndStatus(): Promise<{ type: string; status: JobStatus; count: number }[]> {
    const rows: { type: string; status: JobStatus; count: number }[] = await this.dataSource.query(
      `SELECT type, status, count(*)::int AS count FROM ${this.jobs} GROUP BY type, status`,
    );
    return rows;
  }

  /** The job's output, in order. */
  async readOutput(id: string): Promise<Buffer> {
    const rows: { data: Buffer }[] = await this.dataSource.query(
      `SELECT data FROM ${this.outputs} WHERE job_id = $1 ORDER BY seq`,
      [id],
    );
    return Buffer.concat(rows.map((row) => row.data));
  }

  private async lockFenced(manager: EntityManager, id: string, owner: string): Promise<number> {
    const rows: { output_seq: number }[] = await manager.query(
      `SELECT output_seq FROM ${this.jobs} WHERE ${FENCE} FOR UPDATE`,
      [id, owner],
    );
    if (rows.length === 0) throw new JobAbortedError('lease-lost');
    return rows[0].output_seq;
  }

  private async appendOutputs(
    manager: EntityManager,
    id: string,
    seq: number,
    chunks: Buffer[],
  ): Promise<number> {
    const data = chunks.filter((chunk) => chunk.length > 0);
    if (data.length === 0) return seq;
    await manager.query(
      `INSERT INTO ${this.outputs} (job_id, seq, data)
       SELECT $1, $2 + ord::int, d FROM unnest($3::bytea[]) WITH ORDINALITY AS t(d, ord)`,
      [id, seq, data],
    );
    return seq + data.length;
  }

  private async dispatch(
    manager: EntityManager,
    jobs: readonly { id: string; type: string }[],
  ): Promise<void> {
    await enqueueOutbox(
      manager,
      jobs.map((job) => ({
        topic: this.topic,
        // Keyed by job id: one job's dispatches land on one partition, in order.
        key: job.id,
        value: encodeDispatch({ jobId: job.id, type: job.type }),
      })),
    );
  }
}
