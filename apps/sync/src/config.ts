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
import type { ProductionRules } from '@shopwire/config';
import { ConsumerGroup } from '@shopwire/contracts';
import { privacyEnv } from '@shopwire/privacy';
import { jobsEnv } from '@shopwire/jobs';
import { scheduleConfigIssues, scheduleEnv } from './schedule/schedule-config';

const syncConfigFields = z.object({
  ...kafkaEnv,
  ...databaseEnv,
  ...apiAccessEnv,
  ...logEnv,
  ...privacyEnv,
  ...jobsEnv,
  ...scheduleEnv,
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
  /**
   * Redis for the catalog cache (libs/cache) and the Admin API budgets. Unreachable, it costs the
   * cache its hit ratio and the Admin API calls their speed (each client falls back to its
   * `SHOPIFY_BUDGET_FALLBACK_SHARE` of the shop's bucket).
   */
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'REDIS_URL must be a redis:// or rediss:// URL')
    .default('redis://127.0.0.1:6379'),
  /**
   * The cache's own Redis, when it is not REDIS_URL's (which also holds the Admin API budgets).
   * Not needed for outages (on one Redis the Admin API origins still answer, on the budget's
   * local share); for isolating the cache's load or memory from the budgets'.
   */
  CACHE_REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'CACHE_REDIS_URL must be a redis:// or rediss:// URL')
    .optional(),
  /** A Redis command not answered within this is failed (the read goes to the origin). */
  CACHE_REDIS_TIMEOUT_MS: positiveInt(100),
  CACHE_KEY_PREFIX: z.string().min(1).default('shopwire:cache'),
  CACHE_PRODUCT_TTL_MS: positiveInt(5 * 60_000),
  CACHE_VARIANT_TTL_MS: positiveInt(5 * 60_000),
  CACHE_METAFIELDS_TTL_MS: positiveInt(10 * 60_000),
  CACHE_STORE_CONFIG_TTL_MS: positiveInt(15 * 60_000),
  /** Short: a discount turns active or expired at its start or end without any webhook. */
  CACHE_PRICING_RULES_TTL_MS: positiveInt(2 * 60_000),
  /** How long a "not found" is cached (products, variants, metafields). */
  CACHE_NEGATIVE_TTL_MS: positiveInt(30_000),
  /** Cross-replica fill lock (SET NX PX): one origin call per key across all replicas. */
  CACHE_FILL_LOCK: booleanFlag(true),
  /** The purge consumer's own group (every replica shares the Redis cache, so one is enough). */
  CACHE_PURGE_GROUP: z.string().min(1).default('sync-cache-purge'),
  /**
   * Where product and variant reads come from on a miss. `mirror`: the sync schema's catalog,
   * kept from products webhooks. `admin-api`: the shop's Admin API through the budgeted client
   * (libs/shopify-admin), which needs an access token. Metafields, store config and pricing rules
   * always come from the Admin API (the mirror does not hold them).
   */
  CATALOG_ORIGIN: z.enum(['mirror', 'admin-api']).default('mirror'),
  /**
   * Base URL of a shop's Admin API with `{shop}` and `{version}` placeholders. Unset: Shopify's
   * own (`https://{shop}/admin/api/{version}`). The simulator:
   * `http://127.0.0.1:3100/shops/{shop}/admin/api/{version}`.
   */
  SHOPIFY_ADMIN_URL: z
    .string()
    .refine(
      (v) => /^https?:\/\//.test(v) && v.includes('{shop}') && v.includes('{version}'),
      'SHOPIFY_ADMIN_URL must be an http(s) URL with {shop} and {version}',
    )
    .optional(),
  /**
   * The shops service (apps/shops), the holder of every shop's Admin API token. Set, tokens come
   * from its internal token API (libs/shop-credentials: cached briefly in memory, dropped when
   * the shop's installation changes, replaced after a 401), and SHOPIFY_ACCESS_TOKENS /
   * SHOPIFY_ACCESS_TOKEN are ignored.
   */
  SHOPS_URL: z.string().url('SHOPS_URL must be an http(s) URL').optional(),
  /** Bearer token sync presents to the shops service (a credential with shops:tokens). Never logged. */
  SHOPS_API_TOKEN: z.string().min(16, 'SHOPS_API_TOKEN must be at least 16 characters').optional(),
  /**
   * Development fallback while SHOPS_URL is unset: `shop:token` pairs (offline access tokens),
   * comma-separated. Never logged. Production configuration is to refuse it (docs/deploy.md).
   */
  SHOPIFY_ACCESS_TOKENS: z
    .string()
    .transform((value, ctx) => {
      const tokens = new Map<string, string>();
      for (const pair of value
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean)) {
        const colon = pair.indexOf(':');
        if (colon <= 0 || colon === pair.length - 1) {
          ctx.addIssue({
            code: z.ZodIssueCode.custom,
            message: 'SHOPIFY_ACCESS_TOKENS entries must be shop:token',
          });
          return z.NEVER;
        }
        tokens.set(pair.slice(0, colon), pair.slice(colon + 1));
      }
      return tokens;
    })
    .optional(),
  /** Development fallback: one token for every shop not in SHOPIFY_ACCESS_TOKENS (the simulator). */
  SHOPIFY_ACCESS_TOKEN: z.string().min(1).optional(),
  /** The inventory service's REST API, which inventory-reconcile compares Shopify against. */
  INVENTORY_API_URL: z
    .string()
    .url('INVENTORY_API_URL must be an http(s) URL')
    .default('http://127.0.0.1:3002'),
  /** Bearer token sync presents to the inventory service (inventory:read). Never logged. */
  INVENTORY_API_TOKEN: z
    .string()
    .min(16, 'INVENTORY_API_TOKEN must be at least 16 characters')
    .optional(),
  INVENTORY_API_TIMEOUT_MS: positiveInt(5000),
  SHOPIFY_API_VERSION: z
    .string()
    .regex(/^\d{4}-\d{2}$/, 'SHOPIFY_API_VERSION must look like 2026-01')
    .default('2026-01'),
  /**
   * While REDIS_URL is unreachable, each Admin API client spends only 1/this of a shop's bucket.
   * Set it to the number of clients that may call one shop at once: sync's replicas (one client
   * per process, shared by the catalog and the jobs), plus those of any other service calling it.
   */
  SHOPIFY_BUDGET_FALLBACK_SHARE: positiveInt(3),
});

/** The config type; the schema below adds the cross-field rules. */
export type SyncConfig = z.infer<typeof syncConfigFields>;

export const syncConfigSchema = syncConfigFields.superRefine((config, ctx) => {
  requireApiCaller(config, ctx);
  for (const issue of scheduleConfigIssues(config))
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: [issue.path], message: issue.message });
  if (config.SHOPS_URL && !config.SHOPS_API_TOKEN)
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      path: ['SHOPS_API_TOKEN'],
      message: 'SHOPS_URL needs SHOPS_API_TOKEN (a shops service credential with shops:tokens)',
    });
  if (
    config.CATALOG_ORIGIN === 'admin-api' &&
    !config.SHOPS_URL &&
    !config.SHOPIFY_ACCESS_TOKEN &&
    !config.SHOPIFY_ACCESS_TOKENS?.size
  )
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      path: ['SHOPS_URL'],
      message:
        'CATALOG_ORIGIN=admin-api needs SHOPS_URL (or, in development, SHOPIFY_ACCESS_TOKENS or SHOPIFY_ACCESS_TOKEN)',
    });
});

/** What production refuses beside the shared rules (docs/security.md, "Production guards"). */
export const syncProductionRules: ProductionRules = {
  ERP_URL: { kind: 'external-url' },
  ERP_REDACT_URL: { kind: 'external-url', optional: true },
  // Unset means Shopify's own Admin API.
  SHOPIFY_ADMIN_URL: { kind: 'external-url', optional: true },
  // The inventory service is in the cluster (loopback allowed), but its default is a laptop's.
  INVENTORY_API_URL: { kind: 'explicit' },
  INVENTORY_API_TOKEN: { kind: 'secret', optional: true },
  SHOPS_API_TOKEN: { kind: 'secret', optional: true },
  SHOPIFY_ACCESS_TOKENS: {
    kind: 'forbidden',
    why: 'environment tokens are a development fallback; tokens come from the shops service (SHOPS_URL)',
  },
  SHOPIFY_ACCESS_TOKEN: {
    kind: 'forbidden',
    why: 'environment tokens are a development fallback; tokens come from the shops service (SHOPS_URL)',
  },
};
