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

const inventoryConfigFields = z.object({
  ...kafkaEnv,
  ...databaseEnv,
  ...apiAccessEnv,
  ...logEnv,
  PORT: port(3002),
  /** Run pending migrations at boot. Off by default: production migrates from a Job, once. */
  RUN_MIGRATIONS: booleanFlag(false),
  INVENTORY_CONSUMER_GROUP: z.string().min(1).default('inventory'),
  /** Partitions worked on at the same time by one replica (across all subscribed topics). */
  INVENTORY_PARTITIONS_CONCURRENTLY: positiveInt(4),
  /** Most messages applied in one database transaction. */
  INVENTORY_MAX_CHUNK: positiveInt(200),
  /**
   * A level is low when its sellable quantity (available − committed) is below this; one
   * `inventory.level.low.v1` is published each time it falls below, none while it stays there.
   */
  LOW_STOCK_THRESHOLD: z.coerce.number().int().min(0).default(5),
  /** Start the outbox relay in this process (turn off to run relays elsewhere). */
  OUTBOX_RELAY_ENABLED: booleanFlag(true),
});

/** Refuses a service nobody can call while loading (exit 78), not once Nest starts. */
export const inventoryConfigSchema = inventoryConfigFields.superRefine(requireApiCaller);

export type InventoryConfig = z.infer<typeof inventoryConfigSchema>;
