import { decodeFields, decodeJson, field, FieldError, type Decoded } from './decoding';

/**
 * Async jobs: each service that runs jobs has one dispatch topic, `shopwire.jobs.<service>.v1`,
 * keyed by job id. A message only says "job <id> of <type> wants running"; the job row in the
 * service's schema is the truth (see `@shopwire/jobs`).
 */
export const JobQueue = {
  Analytics: 'analytics',
  Sync: 'sync',
} as const;

export type JobQueue = (typeof JobQueue)[keyof typeof JobQueue];

export const ALL_JOB_QUEUES: readonly JobQueue[] = Object.values(JobQueue);

export function jobsTopicOf(service: string): string {
  return `shopwire.jobs.${service}.v1`;
}

/**
 * The message on `shopwire.jobs.<service>.v1` that tells a worker a job wants running. It carries
 * only the id and type: the job row is the truth, so a stale or repeated message costs one failed
 * claim and nothing else.
 */
export interface DispatchMessage {
  jobId: string;
  type: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isJobId(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

export function encodeDispatch(message: DispatchMessage): string {
  return JSON.stringify({ jobId: message.jobId, type: message.type, v: 1 });
}

/** Reads a dispatch message; refused with 'json' or 'event' (the consumer skips and counts it). */
export function decodeDispatch(
  value: Buffer | string | null | undefined,
): Decoded<DispatchMessage> {
  const json = decodeJson(value);
  if (!json.ok) return json;
  return decodeFields('event', () => {
    const message = field.object(json.value, 'message');
    if (!isJobId(message.jobId)) throw new FieldError('jobId must be a uuid');
    return { jobId: message.jobId, type: field.text(message.type, 'type', 200) };
  });
}
