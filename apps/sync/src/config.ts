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
import { ConsumerGroup } from '@shopwire/contracts';

export const syncConfigSchema = z.object({
  ...kafkaEnv,
  ...databaseEnv,
  ...apiTokensEnv,
  ...logEnv,
  PORT: port(3005),
  RUN_MIGRATIONS: booleanFlag(false),
  SYNC_CONSUMER_GROUP: z.string().min(1).default(ConsumerGroup.Sync),
  SYNC_PARTITIONS_CONCURRENTLY: positiveInt(4),
  SYNC_MAX_CHUNK: positiveInt(200),
  /** The ERP's order intake (development and tests: the simulator's stand-in). */
  ERP_URL: z
    .string()
    .url('ERP_URL must be an http(s) URL')
    .default('http://127.0.0.1:3100/sim/erp/orders'),
  /** The ERP's erasure endpoint; default: `redact` next to ERP_URL. */
  ERP_REDACT_URL: z.string().url('ERP_REDACT_URL must be an http(s) URL').optional(),
  /** One ERP call's budget (connect, headers and body). */
  ERP_TIMEOUT_MS: positiveInt(5000),
  /** In-process attempts per call (through the breaker), Retry-After honoured between them. */
  ERP_ATTEMPTS: positiveInt(4),
  ERP_RETRY_BASE_MS: positiveInt(200),
  /** Longest Retry-After waited in process; a longer one ends the attempts (the loop waits it). */
  ERP_MAX_RETRY_AFTER_MS: positiveInt(30_000),
  /** Failed calls of one order (across passes) before the loop stops retrying it. */
  SYNC_MAX_ATTEMPTS: positiveInt(20),
  /** Backoff of the background loop between passes over a failed order. */
  SYNC_BACKOFF_BASE_MS: positiveInt(5000),
  SYNC_BACKOFF_CAP_MS: positiveInt(10 * 60_000),
  WORKER_POLL_MS: positiveInt(1000),
  WORKER_BATCH: positiveInt(20),
  WORKER_LEASE_MS: positiveInt(60_000),
  BREAKER_VOLUME_THRESHOLD: positiveInt(5),
  BREAKER_ERROR_PERCENT: positiveInt(50),
  BREAKER_RESET_MS: positiveInt(10_000),
  /** Redis for the catalog cache (libs/cache). Unreachable Redis only costs hit ratio. */
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'REDIS_URL must be a redis:// or rediss:// URL')
    .default('redis://127.0.0.1:6379'),
  /** A Redis command not answered within this is failed (the read goes to the origin). */
  CACHE_REDIS_TIMEOUT_MS: positiveInt(100),
  CACHE_KEY_PREFIX: z.string().min(1).default('shopwire:cache'),
  CACHE_PRODUCT_TTL_MS: positiveInt(5 * 60_000),
  CACHE_NEGATIVE_TTL_MS: positiveInt(30_000),
  /** Cross-replica fill lock (SET NX PX): one origin call per key across all replicas. */
  CACHE_FILL_LOCK: booleanFlag(true),
  /** The purge consumer's own group (every replica shares the Redis cache, so one is enough). */
  CACHE_PURGE_GROUP: z.string().min(1).default('sync-cache-purge'),
  /**
   * Where catalog reads come from on a miss. `mirror`: the sync schema's catalog, kept from
   * products webhooks. (The Admin API origin comes with the budgeted client in libs/shopify.)
   */
  CATALOG_ORIGIN: z.enum(['mirror']).default('mirror'),
});

export type SyncConfig = z.infer<typeof syncConfigSchema>;
