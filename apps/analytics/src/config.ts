import {
  apiAccessEnv,
  booleanFlag,
  databaseEnv,
  kafkaEnv,
  logEnv,
  port,
  positiveInt,
  requireApiCaller,
  z,
} from '@shopwire/config';
import { jobsEnv } from '@shopwire/jobs';

const analyticsConfigFields = z.object({
  ...kafkaEnv,
  ...databaseEnv,
  ...apiAccessEnv,
  ...logEnv,
  ...jobsEnv,
  PORT: port(3004),
  /** Run pending migrations at boot. Off by default: production migrates from a Job, once. */
  RUN_MIGRATIONS: booleanFlag(false),
  ANALYTICS_CONSUMER_GROUP: z.string().min(1).default('analytics'),
  /** Partitions worked on at the same time by one replica (across all subscribed topics). */
  ANALYTICS_PARTITIONS_CONCURRENTLY: positiveInt(4),
  /** Most messages applied in one database transaction. */
  ANALYTICS_MAX_CHUNK: positiveInt(200),
  /** Start the outbox relay (job dispatches) in this process; off to run relays elsewhere. */
  OUTBOX_RELAY_ENABLED: booleanFlag(true),
  /** Days a sales-report job reads and writes per step (one transaction, one checkpoint). */
  SALES_REPORT_DAYS_PER_STEP: positiveInt(31),
});

/** Refuses a service nobody can call while loading (exit 78), not once Nest starts. */
export const analyticsConfigSchema = analyticsConfigFields.superRefine(requireApiCaller);

export type AnalyticsConfig = z.infer<typeof analyticsConfigSchema>;
