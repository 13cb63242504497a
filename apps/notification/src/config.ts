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

/** `shop:email` pairs, comma-separated: where a shop's merchant alerts go. */
const merchantEmails = z
  .string()
  .default('')
  .transform((value, ctx) => {
    const map = new Map<string, string>();
    for (const pair of value
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)) {
      const colon = pair.indexOf(':');
      const shop = colon > 0 ? pair.slice(0, colon).trim().toLowerCase() : '';
      const email = colon > 0 ? pair.slice(colon + 1).trim() : '';
      if (!shop || !/^[^@\s]+@[^@\s]+$/.test(email)) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          message: 'MERCHANT_EMAILS entries must be shop:email',
        });
        return z.NEVER;
      }
      map.set(shop, email);
    }
    return map;
  });

const notificationConfigFields = z.object({
  ...kafkaEnv,
  ...databaseEnv,
  ...apiAccessEnv,
  ...logEnv,
  ...privacyEnv,
  PORT: port(3003),
  RUN_MIGRATIONS: booleanFlag(false),
  NOTIFICATION_CONSUMER_GROUP: z.string().min(1).default(ConsumerGroup.Notification),
  NOTIFICATION_PARTITIONS_CONCURRENTLY: positiveInt(4),
  NOTIFICATION_MAX_CHUNK: positiveInt(200),
  /** The SMTP relay (development and tests: the simulator's sink). */
  SMTP_URL: z.string().url('SMTP_URL must be an smtp:// URL').default('smtp://127.0.0.1:2525'),
  SMTP_FROM: z.string().min(3).default('Shopwire <no-reply@shopwire.dev>'),
  /** One SMTP conversation's budget (connect + send). */
  SMTP_TIMEOUT_MS: positiveInt(10_000),
  /** SMTP connections kept open to the relay (nodemailer pool). */
  SMTP_POOL_SIZE: positiveInt(16),
  /** Emails sent over one pooled connection before it is replaced (relays may cap this). */
  SMTP_MAX_MESSAGES_PER_CONNECTION: positiveInt(1000),
  MERCHANT_EMAILS: merchantEmails,
  /** Where low-stock alerts go for shops not in MERCHANT_EMAILS; unset: not sent (skipped). */
  MERCHANT_DEFAULT_EMAIL: z.string().email().optional(),
  /** In-process attempts per send (through the breaker) before the intent waits for later. */
  SEND_ATTEMPTS: positiveInt(3),
  SEND_RETRY_BASE_MS: positiveInt(200),
  /** Failed sends of one intent (across passes) before it is marked failed. */
  SEND_MAX_ATTEMPTS: positiveInt(12),
  /** Idle pause of the sender loop (it is also woken right after new intents commit). */
  SENDER_POLL_MS: positiveInt(1000),
  SENDER_BATCH: positiveInt(200),
  /** How long a claimed intent is reserved for its sender before another may take it over. */
  SENDER_LEASE_MS: positiveInt(60_000),
  BREAKER_VOLUME_THRESHOLD: positiveInt(5),
  BREAKER_ERROR_PERCENT: positiveInt(50),
  BREAKER_RESET_MS: positiveInt(10_000),
});

/** Refuses a service nobody can call while loading (exit 78), not once Nest starts. */
export const notificationConfigSchema = notificationConfigFields.superRefine(requireApiCaller);

export type NotificationConfig = z.infer<typeof notificationConfigSchema>;

/** What production refuses beside the shared rules (docs/security.md, "Production guards"). */
export const notificationProductionRules: ProductionRules = {
  // The relay is outside the cluster; the default is the simulator's SMTP sink.
  SMTP_URL: { kind: 'external-url' },
};
