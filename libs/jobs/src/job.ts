import type { z } from '@shopwire/config';
import type { Logger } from 'pino';
import type { EntityManager } from 'typeorm';
import type { Pacer } from './pacer';

export const JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const TERMINAL_STATUSES: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled'];

export type CallbackStatus = 'pending' | 'delivered' | 'failed';

/** What a finished job produced: the metadata kept on the job row (the bytes are in outputs). */
export interface JobResultInfo {
  contentType: string;
  filename: string | null;
  size: number;
  /** Small, handler-defined facts about the result (row counts, totals); shown in the API. */
  summary: Record<string, unknown> | null;
}

/** One job as stored. Timestamps are Dates; counts are numbers (they stay far below 2^53). */
export interface JobRecord {
  id: string;
  type: string;
  params: unknown;
  status: JobStatus;
  processed: number;
  total: number | null;
  checkpoint: unknown;
  outputSeq: number;
  attempts: number;
  maxAttempts: number;
  leaseOwner: string | null;
  leaseExpiresAt: Date | null;
  cancelRequestedAt: Date | null;
  error: { type: string; message: string } | null;
  result: JobResultInfo | null;
  submittedBy: string | null;
  createdAt: Date;
  startedAt: Date | null;
  updatedAt: Date;
  finishedAt: Date | null;
  callbackUrl: string | null;
  callbackStatus: CallbackStatus | null;
  callbackAttempts: number;
  callbackNextAt: Date | null;
  callbackLastError: string | null;
  callbackDeliveredAt: Date | null;
  /** Set by submissions that must not run twice (`JobStore.submitOnce`). */
  idempotencyKey: string | null;
}

/** What one `step` of a handler commits together with its effects. */
export interface StepOutcome<C> {
  /** Where to resume after this step; what `context.checkpoint` holds on the next attempt. */
  checkpoint: C;
  processed?: number;
  total?: number;
}

/** The transaction a step runs in, fenced by the job's lease. */
export interface StepTransaction {
  /** The service's schema-scoped manager, inside the step's transaction. */
  manager: EntityManager;
  /** Appends bytes to the job's result; committed with the step, so a retried step never doubles it. */
  appendOutput(data: string | Buffer): void;
}

/** What a handler returns when it finished: how to serve the output it appended. */
export interface JobCompletion {
  contentType: string;
  filename?: string;
  summary?: Record<string, unknown>;
  /** Last bytes of the output (e.g. a closing bracket), committed with the completion. */
  tail?: string | Buffer;
}

/**
 * What a handler gets. The contract (see README): effects happen only inside `step`, whose
 * transaction also records the checkpoint and first verifies that this worker still holds the
 * lease — so a crash at any point either commits a step's effects and its checkpoint together or
 * neither, and a worker that lost its lease cannot commit anything. `checkpoint` is null on the
 * first attempt and the last committed checkpoint on a resumed one.
 */
export interface JobContext<P = unknown, C = unknown> {
  readonly id: string;
  readonly type: string;
  readonly params: P;
  /** 1 on the first run; higher when resumed after a lost worker. */
  readonly attempt: number;
  readonly checkpoint: C | null;
  /** Aborted when the job is cancelled, its lease is lost, or the process shuts down. */
  readonly signal: AbortSignal;
  readonly logger: Logger;
  isCancelled(): boolean;
  /** Records progress (fenced by the lease); throws once the job is no longer this worker's. */
  progress(processed: number, total?: number): Promise<void>;
  step(work: (tx: StepTransaction) => Promise<StepOutcome<C>>): Promise<void>;
  /** Waits for budget before a unit of work (e.g. a Shopify call); `cost` defaults to 1. */
  pace(cost?: number): Promise<void>;
}

/** One job type: how its params are validated and how it runs. */
export interface JobHandler<P = unknown, C = unknown> {
  type: string;
  /** Validates `POST /jobs` params; a failure is a 400 and nothing is stored. */
  params: z.ZodType<P, z.ZodTypeDef, unknown>;
  run(context: JobContext<P, C>): Promise<JobCompletion>;
  /** Overrides the pacer of the runtime for this type. */
  pacer?: Pacer;
}

/** Thrown by a handler for a failure that retrying cannot fix (bad data, a refused request). */
export class JobFailedError extends Error {
  override readonly name = 'JobFailedError';
}

/** The job stopped being this worker's: cancelled, lease lost, or shutting down. */
export class JobAbortedError extends Error {
  override readonly name = 'JobAbortedError';
  constructor(readonly reason: AbortReason) {
    super(`job aborted: ${reason}`);
  }
}

export type AbortReason = 'cancelled' | 'lease-lost' | 'shutdown';
