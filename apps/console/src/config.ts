import { booleanFlag, logEnv, port, positiveInt, z } from '@shopwire/config';
import type { ProductionRules } from '@shopwire/config';

const serviceUrl = (name: string, fallback: string) =>
  z
    .string()
    .regex(/^https?:\/\/[^\s]+$/, `${name} must be an http(s) URL`)
    .default(fallback)
    .transform((url) => url.replace(/\/+$/, ''));

/**
 * The console owns nothing: it needs a session key and where each service's internal API is.
 * Every call it makes carries the operator's own token, so it holds no credential of its own.
 */
export const consoleConfigSchema = z.object({
  ...logEnv,
  PORT: port(3007),
  /**
   * Encrypts and authenticates the session cookie (libsodium secretbox, @fastify/secure-session):
   * 32 bytes, base64 or 64 hex digits. Rotating it logs every operator out.
   */
  CONSOLE_SESSION_KEY: z
    .string({ required_error: 'CONSOLE_SESSION_KEY is required (32 bytes, base64 or hex)' })
    .transform((value, ctx) => {
      const trimmed = value.trim();
      const key = /^[0-9a-f]{64}$/i.test(trimmed)
        ? Buffer.from(trimmed, 'hex')
        : Buffer.from(trimmed, 'base64');
      if (key.length !== 32) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          message: 'CONSOLE_SESSION_KEY must be 32 bytes, as base64 or 64 hex digits',
        });
        return z.NEVER;
      }
      return key;
    }),
  /** A session ends this long after login, whatever the operator does. */
  CONSOLE_SESSION_TTL_SECONDS: positiveInt(8 * 3600),
  /**
   * The cookie's Secure flag. Off only for plain-http development (the demo on 127.0.0.1);
   * production refuses it off.
   */
  CONSOLE_COOKIE_SECURE: booleanFlag(true),
  /** How often live parts (job progress, health, a replay being watched) refresh. */
  CONSOLE_POLL_SECONDS: positiveInt(2),
  ORDER_URL: serviceUrl('ORDER_URL', 'http://127.0.0.1:3001'),
  INVENTORY_URL: serviceUrl('INVENTORY_URL', 'http://127.0.0.1:3002'),
  NOTIFICATION_URL: serviceUrl('NOTIFICATION_URL', 'http://127.0.0.1:3003'),
  ANALYTICS_URL: serviceUrl('ANALYTICS_URL', 'http://127.0.0.1:3004'),
  SYNC_URL: serviceUrl('SYNC_URL', 'http://127.0.0.1:3005'),
  SHOPS_URL: serviceUrl('SHOPS_URL', 'http://127.0.0.1:3006'),
  GATEWAY_URL: serviceUrl('GATEWAY_URL', 'http://127.0.0.1:3000'),
  /** Per call to a service; a page shows the service as unreachable rather than hang. */
  CONSOLE_UPSTREAM_TIMEOUT_MS: positiveInt(5000),
});

export type ConsoleConfig = z.infer<typeof consoleConfigSchema>;

export const consoleProductionRules: ProductionRules = {
  CONSOLE_SESSION_KEY: { kind: 'secret' },
  CONSOLE_COOKIE_SECURE: {
    kind: 'forbidden',
    why: 'the session cookie is always Secure in production (behind TLS); leave it unset',
  },
  // The service URLs default to a developer's machine; in a cluster they are Service names.
  ORDER_URL: { kind: 'explicit' },
  INVENTORY_URL: { kind: 'explicit' },
  NOTIFICATION_URL: { kind: 'explicit' },
  ANALYTICS_URL: { kind: 'explicit' },
  SYNC_URL: { kind: 'explicit' },
  SHOPS_URL: { kind: 'explicit' },
  GATEWAY_URL: { kind: 'explicit' },
};
