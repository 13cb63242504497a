import { apiTokensEnv, csv, logEnv, port, positiveInt, z } from '@shopwire/config';
import { isShopDomain } from '../installs/oauth-crypto';

/** `20`, `20/s` or `1200/min`: webhooks per second. */
export const rateText = z
  .string()
  .regex(/^\d+(\.\d+)?(\/(s|sec|min))?$/, 'must be a rate like 20, 20/s or 1200/min')
  .transform((text) => {
    const [value = '0', unit = 's'] = text.split('/');
    return Number(value) / (unit === 'min' ? 60 : 1);
  })
  .refine((rate) => rate > 0 && rate <= 10_000, 'must be between 0 and 10000 webhooks per second');

export const simConfigSchema = z.object({
  ...logEnv,
  ...apiTokensEnv,
  PORT: port(3100),
  /** Where webhooks are POSTed (the gateway). */
  GATEWAY_URL: z
    .string()
    .url('GATEWAY_URL must be an http(s) URL')
    .default('http://127.0.0.1:3000/webhooks/shopify'),
  /** The app's client secret deliveries are signed with (the gateway's SHOPIFY_WEBHOOK_SECRETS). */
  SHOPIFY_WEBHOOK_SECRET: z
    .string({
      required_error: 'SHOPIFY_WEBHOOK_SECRET is required (the secret webhooks are signed with)',
    })
    .min(8, 'SHOPIFY_WEBHOOK_SECRET must be at least 8 characters'),
  /** The secret before a rotation; streams can sign a share of deliveries with it. */
  SHOPIFY_WEBHOOK_OLD_SECRET: z
    .string()
    .min(8, 'SHOPIFY_WEBHOOK_OLD_SECRET must be at least 8 characters')
    .optional(),
  SHOPIFY_API_VERSION: z
    .string()
    .regex(/^\d{4}-(01|04|07|10)$/, 'SHOPIFY_API_VERSION must look like 2026-10')
    .default('2026-10'),
  SIM_SHOPS: csv('SIM_SHOPS (myshopify domains)')
    .default('shopwire-demo.myshopify.com')
    .refine(
      (shops) => shops.every(isShopDomain),
      'SIM_SHOPS entries must be *.myshopify.com domains',
    ),
  /** Starts a steady, realistic stream at boot (the demo's traffic). */
  SIM_AUTOSTART_RATE: rateText.optional(),
  /** Compresses the 4-hour retry schedule (0.0001 → 1.44 s) for tests and demos. */
  RETRY_TIME_SCALE: z.coerce.number().positive('RETRY_TIME_SCALE must be > 0').max(1000).default(1),
  DELIVERY_CONCURRENCY: positiveInt(64),
  DELIVERY_CONNECT_TIMEOUT_MS: positiveInt(1000),
  DELIVERY_TIMEOUT_MS: positiveInt(5000),
  /** The app the simulator knows from boot (more through `POST /sim/apps`). */
  SIM_APP_CLIENT_ID: z.string().min(1).max(200).default('shopwire-dev-client'),
  SIM_APP_CLIENT_SECRET: z
    .string()
    .min(8, 'SIM_APP_CLIENT_SECRET must be at least 8 characters')
    .default('shopwire-dev-client-secret-0123456789abcdef'),
  /** Seed for reproducible traffic; a random one per stream when unset. */
  SIM_SEED: z.string().min(1).optional(),
});

export type SimConfig = z.infer<typeof simConfigSchema>;
