import type { CallbackStatus, JobRecord, JobStatus } from './job';

/** A `jobs` row as pg returns it (bigint counts as strings, timestamps as Dates). */
export interface JobRow {
  id: string;
  type: string;
  params: unknown;
  status: JobStatus;
  processed: string;
  total: string | null;
  checkpoint: unknown;
  output_seq: number;
  attempts: number;
  max_attempts: number;
  lease_owner: string | null;
  lease_expires_at: Date | null;
  cancel_requested_at: Date | null;
  error: { type: string; message: string } | null;
  result: JobRecord['result'];
  submitted_by: string | null;
  created_at: Date;
  started_at: Date | null;
  updated_at: Date;
  finished_at: Date | null;
  callback_url: string | null;
  callback_status: CallbackStatus | null;
  callback_attempts: number;
  callback_next_at: Date | null;
  callback_last_error: string | null;
  callback_delivered_at: Date | null;
  /** Absent in a schema without `jobsKeysSql`. */
  idempotency_key?: string | null;
}

export function toRecord(row: JobRow): JobRecord {
  return {
    id: row.id,
    type: row.type,
    params: row.params,
    status: row.status,
    processed: Number(row.processed),
    total: row.total === null ? null : Number(row.total),
    checkpoint: row.checkpoint,
    outputSeq: row.output_seq,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    leaseOwner: row.lease_owner,
    leaseExpiresAt: row.lease_expires_at,
    cancelRequestedAt: row.cancel_requested_at,
    error: row.error,
    result: row.result,
    submittedBy: row.submitted_by,
    createdAt: row.created_at,
    startedAt: row.started_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
    callbackUrl: row.callback_url,
    callbackStatus: row.callback_status,
    callbackAttempts: row.callback_attempts,
    callbackNextAt: row.callback_next_at,
    callbackLastError: row.callback_last_error,
    callbackDeliveredAt: row.callback_delivered_at,
    idempotencyKey: row.idempotency_key ?? null,
  };
}
