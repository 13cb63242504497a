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
