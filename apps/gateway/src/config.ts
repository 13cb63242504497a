import { booleanFlag, csv, kafkaEnv, logEnv, port, positiveInt, z } from '@shopwire/config';
import type { ProductionRules } from '@shopwire/config';

export const gatewayConfigSchema = z.object({
  ...kafkaEnv,
  ...logEnv,
  PORT: port(3000),
  /**
   * The app's client secrets, newest first. During a rotation Shopify may sign with the old one
   * for up to an hour, so both are listed until then.
   */
  SHOPIFY_WEBHOOK_SECRETS: csv('SHOPIFY_WEBHOOK_SECRETS'),
  /** Larger bodies get 413 before they are read in full. Shopify's own payloads stay far below. */
  WEBHOOK_MAX_BYTES: positiveInt(5 * 1024 * 1024),
  /** How long a webhook may wait for Kafka's acknowledgement before it is answered 503. */
  KAFKA_ACK_TIMEOUT_MS: positiveInt(2000),
  /** The Retry-After (seconds) sent with a 503. */
  RETRY_AFTER_SECONDS: positiveInt(5),
  /**
   * Parallel produce connections. Each carries one request at a time (kafkajs's idempotent
   * producer), so more lanes mean more batches in flight; a key always uses the same lane.
   * On a 2-core machine shared with the broker one lane measured best (docs/benchmarks.md);
   * raise it where the gateway has cores to spare and brokers are remote.
   */
  KAFKA_PRODUCER_LANES: z.coerce.number().int().min(1).max(16).default(1),
  /** Most messages per produce request. */
  KAFKA_MAX_BATCH: positiveInt(1000),
  /** Extra wait to gather a batch when the producer is idle; 0 sends at once. */
  KAFKA_LINGER_MS: z.coerce.number().int().min(0).max(1000).default(0),
  /** Webhook ids remembered per replica to answer a repeated delivery without a second write. */
  DEDUPE_CACHE_SIZE: positiveInt(100_000),
  /** Whether a repeated webhook id is answered from memory (consumers deduplicate regardless). */
  DEDUPE_ENABLED: booleanFlag(true),
  /**
   * The Redis holding the shops service's set of uninstalled shops. Set, webhooks of those shops
   * are answered 200 and dropped (counted), except compliance and `app/*` topics. Unset, no
   * webhook is dropped. The gateway never depends on it: unreachable means "deliver".
   */
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'REDIS_URL must be a redis:// or rediss:// URL')
    .optional(),
  /** The set's key (tests use their own). */
  UNINSTALLED_SHOPS_KEY: z.string().min(1).default('shopwire:shops:uninstalled'),
  /** How long a shop's membership is used before it is checked again in the background. */
  UNINSTALLED_SHOPS_CACHE_MS: positiveInt(5000),
  /** A first check of a shop not answered within this counts as "installed" (fail open). */
  UNINSTALLED_SHOPS_TIMEOUT_MS: positiveInt(50),
});

export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;

/** What production refuses beside the shared rules (docs/security.md, "Production guards"). */
export const gatewayProductionRules: ProductionRules = {
  SHOPIFY_WEBHOOK_SECRETS: { kind: 'secret', format: 'csv' },
};
