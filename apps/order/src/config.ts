import {
  apiTokensEnv,
  booleanFlag,
  databaseEnv,
  kafkaEnv,
  logEnv,
  port,
  positiveInt,
  z,
} from '@shopwire/config';

export const orderConfigSchema = z.object({
  ...kafkaEnv,
  ...databaseEnv,
  ...apiTokensEnv,
  ...logEnv,
  PORT: port(3001),
  /** Run pending migrations at boot. Off by default: production migrates from a Job, once. */
  RUN_MIGRATIONS: booleanFlag(false),
  ORDER_CONSUMER_GROUP: z.string().min(1).default('order'),
  /** Partitions of `shopify.orders.v1` worked on at the same time by one replica. */
  ORDER_PARTITIONS_CONCURRENTLY: positiveInt(4),
  /** Most messages applied in one database transaction. */
  ORDER_MAX_CHUNK: positiveInt(200),
});

export type OrderConfig = z.infer<typeof orderConfigSchema>;
