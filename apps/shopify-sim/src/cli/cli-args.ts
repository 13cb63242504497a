import { z } from '@shopwire/config';
import { isShopDomain } from '../installs/oauth-crypto';
import { parseArgs } from 'node:util';
import {
  isWebhookTopic,
  parseTopicMix,
  type TopicMix,
  type WebhookTopic,
} from '../webhooks/traffic/webhook-topics';

export const CLI_USAGE = `Usage:
  shopify-sim send [options]     stream signed webhooks to a receiver, print progress and a summary
  shopify-sim sample [options]   print one signed webhook: headers (JSON) on stderr, body on stdout

send options:
  --url URL                 receiver (env GATEWAY_URL, default http://127.0.0.1:3000/webhooks/shopify)
  --secret S                signing secret (env SHOPIFY_WEBHOOK_SECRET; required)
  --old-secret S            pre-rotation secret (env SHOPIFY_WEBHOOK_OLD_SECRET)
  --rate N                  unique webhooks per second (default 50)
  --count N                 stop after N unique webhooks (default 1000 unless --duration)
  --duration SECONDS        stop after this long
  --topics MIX              e.g. orders/create=5,orders/updated=3,orders/cancelled=1
  --shops A,B               myshopify domains (env SIM_SHOPS, default shopwire-demo.myshopify.com)
  --duplicates P            probability a delivery is re-sent with the same webhook id
  --reorder-window N        shuffle deliveries within windows of N
  --delay-probability P     probability a delivery is held back…
  --delay-max-ms MS         …by up to MS
  --old-secret-ratio P      share signed with the old secret
  --wrong-secret-ratio P    share signed with a wrong secret (the receiver should answer 401)
  --concurrency N           requests in flight (default 64)
  --timeout-ms MS           whole-response deadline (default 5000, Shopify's)
  --connect-timeout-ms MS   connect deadline (default 1000, Shopify's)
  --retry-time-scale X      compress the 4 h retry schedule (env RETRY_TIME_SCALE, default 1)
  --seed S                  replay a run exactly
  --api-version V           X-Shopify-API-Version (default 2026-10)
  --json                    print the final summary as JSON

sample options:
  --topic T (default orders/create)  --seed S  --secret S  --shops A

Exit status: 0 when every webhook was delivered, 1 when some were given up, 2 on bad usage.`;

const probability = z.coerce.number().min(0).max(1).default(0);
const optionalPositive = z.coerce.number().positive().optional();

const sendSchema = z
  .object({
    url: z.string().url(),
    secret: z
      .string({
        required_error: 'a signing secret is required (--secret or SHOPIFY_WEBHOOK_SECRET)',
      })
      .min(1),
    'old-secret': z.string().min(1).optional(),
    rate: z.coerce.number().positive().max(10_000).default(50),
    count: z.coerce.number().int().positive().optional(),
    duration: optionalPositive,
    topics: z.string().optional(),
    shops: z.string().default('shopwire-demo.myshopify.com'),
    duplicates: probability,
    'reorder-window': z.coerce.number().int().min(0).default(0),
    'delay-probability': probability,
    'delay-max-ms': z.coerce.number().int().min(0).default(0),
    'old-secret-ratio': probability,
    'wrong-secret-ratio': probability,
    concurrency: z.coerce.number().int().positive().default(64),
    'timeout-ms': z.coerce.number().int().positive().default(5000),
    'connect-timeout-ms': z.coerce.number().int().positive().default(1000),
    'retry-time-scale': z.coerce.number().positive().default(1),
    seed: z.string().optional(),
    'api-version': z.string().default('2026-10'),
    json: z.boolean().default(false),
  })
  .strict();

export type SendOptions = Omit<z.infer<typeof sendSchema>, 'shops' | 'topics'> & {
  shops: string[];
  topics?: TopicMix;
};

export interface SampleOptions {
  topic: WebhookTopic;
  seed: string;
  secret: string;
  shop: string;
}

export type CliCommand =
  | { command: 'send'; options: SendOptions }
  | { command: 'sample'; options: SampleOptions }
  | { command: 'help' };

export class CliUsageError extends Error {}

const STRING_OPTIONS = [
  'url',
  'secret',
  'old-secret',
  'rate',
  'count',
  'duration',
  'topics',
  'shops',
  'duplicates',
  'reorder-window',
  'delay-probability',
  'delay-max-ms',
  'old-secret-ratio',
  'wrong-secret-ratio',
  'concurrency',
  'timeout-ms',
  'connect-timeout-ms',
  'retry-time-scale',
  'seed',
  'api-version',
  'topic',
  'shop',
] as const;

/** Parses argv (without `node script`); environment variables fill what flags leave out. */
export function parseCli(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
): CliCommand {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h')
    return { command: 'help' };
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: rest,
      strict: true,
      options: {
        ...Object.fromEntries(STRING_OPTIONS.map((name) => [name, { type: 'string' as const }])),
        json: { type: 'boolean' as const },
      },
    }).values;
  } catch (error) {
    throw new CliUsageError((error as Error).message);
  }

  if (command === 'sample') {
    const topic = String(values.topic ?? 'orders/create');
    if (!isWebhookTopic(topic)) throw new CliUsageError(`unknown topic ${topic}`);
    return {
      command: 'sample',
      options: {
        topic,
        seed: String(values.seed ?? 'sample'),
        secret: String(values.secret ?? env.SHOPIFY_WEBHOOK_SECRET ?? 'shopify-sim-sample-secret'),
        shop: String(values.shop ?? values.shops ?? 'shopwire-demo.myshopify.com')
          .split(',')[0]!
          .trim(),
      },
    };
  }
  if (command !== 'send') throw new CliUsageError(`unknown command ${command}`);
  for (const name of ['topic', 'shop'])
    if (values[name] !== undefined) throw new CliUsageError(`--${name} is a sample option`);
  delete values.topic;
  delete values.shop;

  const parsed = sendSchema.safeParse({
    ...values,
    url: values.url ?? env.GATEWAY_URL ?? 'http://127.0.0.1:3000/webhooks/shopify',
    secret: values.secret ?? env.SHOPIFY_WEBHOOK_SECRET,
    'old-secret': values['old-secret'] ?? env.SHOPIFY_WEBHOOK_OLD_SECRET,
    shops: values.shops ?? env.SIM_SHOPS,
    'retry-time-scale': values['retry-time-scale'] ?? env.RETRY_TIME_SCALE,
  });
  if (!parsed.success) {
    throw new CliUsageError(
      parsed.error.issues
        .map((issue) => `--${issue.path.join('.') || '?'}: ${issue.message}`)
        .join('\n'),
    );
  }
  const { shops: shopsText, topics: topicsText, ...options } = parsed.data;
  const shops = shopsText
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const badShop = shops.find((shop) => !isShopDomain(shop));
  if (badShop || shops.length === 0)
    throw new CliUsageError(`--shops: ${badShop ?? '(empty)'} is not a *.myshopify.com domain`);
  if (options['old-secret-ratio'] + options['wrong-secret-ratio'] > 1) {
    throw new CliUsageError('--old-secret-ratio + --wrong-secret-ratio must be <= 1');
  }
  let topics: TopicMix | undefined;
  try {
    topics = topicsText === undefined ? undefined : parseTopicMix(topicsText);
  } catch (error) {
    throw new CliUsageError(`--topics: ${(error as Error).message}`);
  }
  // Without a bound a CLI run would never end; default to a modest batch.
  const count = options.count ?? (options.duration === undefined ? 1000 : undefined);
  return { command: 'send', options: { ...options, count, shops, topics } };
}
