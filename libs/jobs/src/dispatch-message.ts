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

/** null for anything that is not a dispatch message (skipped and counted by the consumer). */
export function decodeDispatch(value: Buffer | null): DispatchMessage | null {
  if (!value) return null;
  try {
    const parsed = JSON.parse(value.toString('utf8')) as Record<string, unknown>;
    if (!isJobId(parsed.jobId) || typeof parsed.type !== 'string') return null;
    return { jobId: parsed.jobId, type: parsed.type };
  } catch {
    return null;
  }
}
