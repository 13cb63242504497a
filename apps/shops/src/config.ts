import {
  apiAccessEnv,
  booleanFlag,
  csv,
  databaseEnv,
  kafkaEnv,
  logEnv,
  port,
  positiveInt,
  requireApiCaller,
  z,
} from '@shopwire/config';
import type { ProductionRules } from '@shopwire/config';
import { KeyRingError, parseKeyRing } from './credentials/key-ring';

const httpUrl = (name: string) =>
  z
    .string({ required_error: `${name} is required` })
    .regex(/^https?:\/\/[^\s]+$/, `${name} must be an http(s) URL`);

const shopsConfigFields = z.object({
  ...kafkaEnv,
  ...databaseEnv,
  ...apiAccessEnv,
  ...logEnv,
  PORT: port(3006),
  /** Run pending migrations at boot. Off by default: production migrates from a Job, once. */
  RUN_MIGRATIONS: booleanFlag(false),
  /** The app's client id (Partner / Dev Dashboard). */
  SHOPIFY_API_KEY: z.string({ required_error: 'SHOPIFY_API_KEY is required' }).min(1),
  /** The app's client secret: signs OAuth HMACs and session tokens, authenticates grants. */
  SHOPIFY_API_SECRET: z
    .string({ required_error: 'SHOPIFY_API_SECRET is required' })
    .min(16, 'SHOPIFY_API_SECRET must be at least 16 characters'),
  /**
   * Access scopes asked for at install, comma-separated as Shopify writes them. The default is
   * what Shopwire reads and subscribes to, nothing more (Shopify's review refuses unused scopes):
   * orders (order backfill, orders/* webhooks), products (catalog, metafields, product import),
   * inventory and locations (inventory reconcile, inventory_* webhooks), discounts (pricing
   * rules, discounts/* webhooks). Nothing writes to a shop.
   */
  SHOPIFY_SCOPES: csv('SHOPIFY_SCOPES').default(
    'read_orders,read_products,read_inventory,read_locations,read_discounts',
  ),
  /** Public base URL of this service; the OAuth redirect URI is `${it}/auth/callback`. */
  SHOPWIRE_PUBLIC_URL: httpUrl('SHOPWIRE_PUBLIC_URL')
    .default('http://127.0.0.1:3006')
    .transform((url) => url.replace(/\/+$/, '')),
  /** A shop's base URL; `{shop}` is the shop domain. The simulator: `http://127.0.0.1:3100/shops/{shop}`. */
  SHOPIFY_SHOP_URL: z
    .string()
    .regex(
      /^https?:\/\/\S*\{shop\}\S*$/,
      'SHOPIFY_SHOP_URL must be an http(s) URL containing {shop}',
    )
    .default('https://{shop}'),
  /** Ask for expiring offline tokens (refreshed with rotation); public apps must from 2027-01-01. */
  SHOPIFY_EXPIRING_OFFLINE_TOKENS: booleanFlag(true),
  /** Token vault keys: `kid:base64(32 bytes)`, comma-separated; the first encrypts. */
  SHOPS_TOKEN_KEYS: z
    .string({ required_error: 'SHOPS_TOKEN_KEYS is required (kid:base64-32-bytes,…)' })
    .transform((value, ctx) => {
      try {
        return parseKeyRing(value);
      } catch (error) {
        // The parser's messages name positions and ids only, never key material.
        const message =
          error instanceof KeyRingError ? error.message : 'SHOPS_TOKEN_KEYS is invalid';
        ctx.addIssue({ code: z.ZodIssueCode.custom, message });
        return z.NEVER;
      }
    }),
  /** Signs the install flow's state cookie. */
  SHOPS_COOKIE_SECRET: z
    .string({ required_error: 'SHOPS_COOKIE_SECRET is required' })
    .min(32, 'SHOPS_COOKIE_SECRET must be at least 32 characters'),
  /** How long a merchant may take on Shopify's consent screen (the state cookie's max-age). */
  SHOPS_INSTALL_STATE_MAX_AGE_SECONDS: positiveInt(600),
  /** Allowed age (either way) of the `timestamp` in Shopify's signed install and callback queries. */
  SHOPS_INSTALL_MAX_SKEW_SECONDS: positiveInt(300),
  /** Clock difference with Shopify tolerated on a session token's `exp`/`nbf`. */
  SHOPS_SESSION_TOKEN_CLOCK_TOLERANCE_SECONDS: positiveInt(10),
  /** The gateway's public webhook URL (`…/webhooks/shopify`), where subscriptions point. */
  SHOPIFY_WEBHOOK_URL: httpUrl('SHOPIFY_WEBHOOK_URL').default(
    'http://127.0.0.1:3000/webhooks/shopify',
  ),
  /**
   * The gateway's earlier public webhook URLs, comma-separated: subscriptions still pointing there
   * are ours and are moved to SHOPIFY_WEBHOOK_URL (anything on another host is left alone).
   */
  SHOPIFY_WEBHOOK_FORMER_URLS: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((url) => url.trim())
        .filter(Boolean),
    )
    .refine(
      (urls) => urls.every((url) => /^https?:\/\/[^\s]+$/.test(url)),
      'SHOPIFY_WEBHOOK_FORMER_URLS must list http(s) URLs',
    ),
  /** How often every installed shop's webhook subscriptions are checked and repaired. */
  SUBSCRIPTIONS_RECONCILE_INTERVAL_SECONDS: positiveInt(3600),
  /** Consumer group reconciling a shop's subscriptions on `installation.installed`. */
  SUBSCRIPTIONS_CONSUMER_GROUP: z.string().min(1).default('shops-subscriptions'),
  /** Redis for the `shopwire:shops:uninstalled` set the gateway reads. */
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'REDIS_URL must be a redis:// or rediss:// URL')
    .default('redis://127.0.0.1:6379'),
  /** The Redis set of uninstalled shops; the gateway reads the same key. */
  SHOPS_UNINSTALLED_SET_KEY: z.string().min(1).default('shopwire:shops:uninstalled'),
  /** Tokens expiring within this many seconds are refreshed by the background loop. */
  SHOPS_REFRESH_AHEAD_SECONDS: positiveInt(300),
  /** How often the background loop looks for tokens to refresh. */
  SHOPS_REFRESH_POLL_MS: positiveInt(15_000),
  /** One token endpoint request's budget. */
  SHOPS_TOKEN_ENDPOINT_TIMEOUT_MS: positiveInt(10_000),
  /** Requests per client address per window over the public install routes (`/auth/*`); 429 above. */
  SHOPS_AUTH_RATE_LIMIT: positiveInt(30),
  SHOPS_AUTH_RATE_WINDOW_SECONDS: positiveInt(60),
  /** Consumer group of the lifecycle consumer (`shopify.compliance.v1`). */
  SHOPS_CONSUMER_GROUP: z.string().min(1).default('shops'),
  SHOPS_OUTBOX_POLL_MS: positiveInt(500),
  SHOPS_OUTBOX_BATCH: positiveInt(200),
  SHOPS_OUTBOX_RETENTION_HOURS: positiveInt(24),
});

/** Refuses a service nobody can call while loading (exit 78), not once Nest starts. */
export const shopsConfigSchema = shopsConfigFields.superRefine(requireApiCaller);

export type ShopsConfig = z.infer<typeof shopsConfigSchema>;

/** What production refuses beside the shared rules (docs/security.md, "Production guards"). */
export const shopsProductionRules: ProductionRules = {
  SHOPIFY_API_SECRET: { kind: 'secret' },
  SHOPS_TOKEN_KEYS: { kind: 'secret', format: 'pairs' },
  SHOPS_COOKIE_SECRET: { kind: 'secret' },
  // Shopify and merchants' browsers reach these: never this machine, never the simulator.
  SHOPWIRE_PUBLIC_URL: { kind: 'external-url' },
  SHOPIFY_WEBHOOK_URL: { kind: 'external-url' },
  SHOPIFY_SHOP_URL: { kind: 'external-url' },
};
