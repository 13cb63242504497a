import type { JobRecord } from './job';

/**
 * The public shape of a job: the REST API's body and the completion callback's body. snake_case
 * like the other Shopwire APIs; never the params' secrets (there are none: params are validated
 * per type) nor the lease owner.
 */
export interface JobView {
  id: string;
  type: string;
  status: JobRecord['status'];
  params: unknown;
  progress: { processed: number; total: number | null };
  attempts: number;
  cancel_requested: boolean;
  error: { type: string; message: string } | null;
  result: {
    url: string;
    content_type: string;
    filename: string | null;
    size: number;
    summary: Record<string, unknown> | null;
  } | null;
  callback: {
    url: string;
    status: string | null;
    attempts: number;
    last_error: string | null;
  } | null;
  created_at: string;
  started_at: string | null;
  updated_at: string;
  finished_at: string | null;
}

export function jobLocation(id: string): string {
  return `/jobs/${id}`;
}

export function toJobView(job: JobRecord): JobView {
  const iso = (date: Date | null) => (date ? date.toISOString() : null);
  return {
    id: job.id,
    type: job.type,
    status: job.status,
    params: job.params,
    progress: { processed: job.processed, total: job.total },
    attempts: job.attempts,
    cancel_requested: job.cancelRequestedAt !== null,
    error: job.error,
    result:
      job.status === 'succeeded' && job.result
        ? {
            url: `${jobLocation(job.id)}/result`,
            content_type: job.result.contentType,
            filename: job.result.filename,
            size: job.result.size,
            summary: job.result.summary,
          }
        : null,
    callback: job.callbackUrl
      ? {
          url: job.callbackUrl,
          status: job.callbackStatus,
          attempts: job.callbackAttempts,
          last_error: job.callbackLastError,
        }
      : null,
    created_at: job.createdAt.toISOString(),
    started_at: iso(job.startedAt),
    updated_at: job.updatedAt.toISOString(),
    finished_at: iso(job.finishedAt),
  };
}

/** The completion callback's body: the job as the API shows it, without the callback's own state. */
export function callbackBody(job: JobRecord): Buffer {
  const { callback: _callback, ...view } = toJobView(job);
  return Buffer.from(JSON.stringify({ event: 'job.finished', job: view }), 'utf8');
}
