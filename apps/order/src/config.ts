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
import { privacyEnv } from '@shopwire/privacy';

const orderConfigFields = z.object({
  ...kafkaEnv,
  ...databaseEnv,
  ...apiAccessEnv,
  ...logEnv,
  ...privacyEnv,
  PORT: port(3001),
  /** Run pending migrations at boot. Off by default: production migrates from a Job, once. */
  RUN_MIGRATIONS: booleanFlag(false),
  ORDER_CONSUMER_GROUP: z.string().min(1).default('order'),
  /** Partitions of `shopify.orders.v1` worked on at the same time by one replica. */
  ORDER_PARTITIONS_CONCURRENTLY: positiveInt(4),
  /** Most messages applied in one database transaction. */
  ORDER_MAX_CHUNK: positiveInt(200),
  /** Longest idle wait of the outbox relay; a commit's NOTIFY wakes it at once anyway. */
  ORDER_OUTBOX_POLL_MS: positiveInt(500),
  /** Most domain events published (and marked sent) together. */
  ORDER_OUTBOX_BATCH: positiveInt(500),
  /** How long published outbox rows are kept (for inspection) before they are deleted. */
  ORDER_OUTBOX_RETENTION_HOURS: positiveInt(24),
});

/** Refuses a service nobody can call while loading (exit 78), not once Nest starts. */
export const orderConfigSchema = orderConfigFields.superRefine(requireApiCaller);

export type OrderConfig = z.infer<typeof orderConfigSchema>;
