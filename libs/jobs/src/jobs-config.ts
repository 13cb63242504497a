import { booleanFlag, positiveInt, z } from '@shopwire/config';
import type { CallbackDestinationPolicy } from './callback-destination';

/**
 * The environment variables of a service that runs jobs; spread into the service's config schema.
 * `JOBS_CALLBACK_SECRET` is optional: without it, submissions with a callback URL get 400.
 */
export const jobsEnv = {
  JOBS_CALLBACK_SECRET: z
    .string()
    .min(32, 'JOBS_CALLBACK_SECRET must be at least 32 characters')
    .optional(),
  /** Jobs one replica runs at once. */
  JOBS_CONCURRENCY: positiveInt(2),
  /** Lease length: how soon a lost worker's job is taken over by another replica. */
  JOBS_LEASE_MS: positiveInt(15_000),
  /** Lease renewal and cancel check interval: a cancel is noticed within about this long. */
  JOBS_TICK_MS: positiveInt(500),
  JOBS_REAP_INTERVAL_MS: positiveInt(5000),
  /** Claims per job (a lost worker or an outage uses one) before it is failed. */
  JOBS_MAX_ATTEMPTS: positiveInt(5),
  /**
   * Hosts callbacks may go to (comma-separated; `*.example.com` for subdomains). Unset: any host
   * whose addresses are all public unicast. Internal ranges are refused either way.
   */
  JOBS_CALLBACK_ALLOWED_HOSTS: z
    // (an array or null: a service's already parsed config, read again by jobsSettings)
    .union([
      z.array(z.string()),
      z.null(),
      z.string().transform((value) =>
        value
          .split(',')
          .map((host) => host.trim())
          .filter(Boolean),
      ),
    ])
    .optional()
    .transform((value) => value ?? null),
  /** Development and tests: callbacks to 127.0.0.0/8 and ::1 accepted. Refused in production. */
  JOBS_CALLBACK_ALLOW_LOOPBACK: z.union([z.boolean(), booleanFlag(false)]),
  /** `production` makes callbacks https-only and refuses the loopback allowance. */
  SHOPWIRE_ENV: z.string().optional(),
  JOBS_CALLBACK_TIMEOUT_MS: positiveInt(5000),
  JOBS_CALLBACK_MAX_ATTEMPTS: positiveInt(10),
  JOBS_CALLBACK_BASE_DELAY_MS: positiveInt(1000),
  JOBS_CALLBACK_MAX_DELAY_MS: positiveInt(300_000),
  /** Finished jobs and their results are deleted this many days after submission; 0 keeps them. */
  JOBS_RETENTION_DAYS: z.coerce.number().int().min(0).default(30),
  /** Units of work per second per replica (token bucket); unset = unlimited. */
  JOBS_PACE_PER_SECOND: z.coerce.number().positive().optional(),
  /** Kafka group of the dispatch consumer; default `<service>-jobs`. */
  JOBS_CONSUMER_GROUP: z.string().min(1).optional(),
};

const envSchema = z.object(jobsEnv);
export type JobsEnv = z.infer<typeof envSchema>;

/** The runtime's settings, from a service's parsed config. */
export interface JobsSettings {
  concurrency: number;
  leaseMs: number;
  tickMs: number;
  reapIntervalMs: number;
  maxAttempts: number;
  callbackSecret: string | null;
  /** Where callbacks may go (checked at submission and again at every delivery). */
  callbackPolicy: CallbackDestinationPolicy;
  callbackTimeoutMs: number;
  callbackMaxAttempts: number;
  callbackBaseDelayMs: number;
  callbackMaxDelayMs: number;
  callbackPollMs: number;
  pacePerSecond: number | null;
  retentionMs: number;
  consumerGroup: string | null;
  /** Kafka session timeout of the dispatch consumer; unset: the Kafka client's (KAFKA_SESSION_TIMEOUT_MS). */
  sessionTimeoutMs?: number;
}

export function jobsSettings(env: Partial<JobsEnv>): JobsSettings {
  const parsed = envSchema.parse(env);
  if (parsed.JOBS_TICK_MS * 2 >= parsed.JOBS_LEASE_MS) {
    throw new Error('JOBS_TICK_MS must be less than half of JOBS_LEASE_MS');
  }
  const production = parsed.SHOPWIRE_ENV === 'production';
  if (production && parsed.JOBS_CALLBACK_ALLOW_LOOPBACK) {
    throw new Error(
      'JOBS_CALLBACK_ALLOW_LOOPBACK=true is refused with SHOPWIRE_ENV=production: ' +
        'loopback callbacks are for development and tests only',
    );
  }
  return {
    concurrency: parsed.JOBS_CONCURRENCY,
    leaseMs: parsed.JOBS_LEASE_MS,
    tickMs: parsed.JOBS_TICK_MS,
    reapIntervalMs: parsed.JOBS_REAP_INTERVAL_MS,
    maxAttempts: parsed.JOBS_MAX_ATTEMPTS,
    callbackSecret: parsed.JOBS_CALLBACK_SECRET ?? null,
    callbackPolicy: {
      httpsOnly: production,
      allowLoopback: parsed.JOBS_CALLBACK_ALLOW_LOOPBACK,
      allowedHosts: parsed.JOBS_CALLBACK_ALLOWED_HOSTS,
    },
    callbackTimeoutMs: parsed.JOBS_CALLBACK_TIMEOUT_MS,
    callbackMaxAttempts: parsed.JOBS_CALLBACK_MAX_ATTEMPTS,
    callbackBaseDelayMs: parsed.JOBS_CALLBACK_BASE_DELAY_MS,
    callbackMaxDelayMs: parsed.JOBS_CALLBACK_MAX_DELAY_MS,
    callbackPollMs: 1000,
    pacePerSecond: parsed.JOBS_PACE_PER_SECOND ?? null,
    retentionMs: parsed.JOBS_RETENTION_DAYS * 86_400_000,
    consumerGroup: parsed.JOBS_CONSUMER_GROUP ?? null,
  };
}
