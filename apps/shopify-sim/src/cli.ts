/**
 * Command-line webhook sender: the same generators, signing, retries and faults as the
 * simulator's HTTP API, without Nest. Run from the build:
 *   node dist/apps/shopify-sim/src/cli.js send --rate 200 --count 1000 --duplicates 0.1 --reorder-window 20
 */
import { randomUUID } from 'node:crypto';
import {
  CLI_USAGE,
  CliUsageError,
  parseCli,
  type SampleOptions,
  type SendOptions,
} from './cli/cli-args';
import { progressLine, summaryText } from './cli/cli-report';
import { NO_FAULTS } from './webhooks/delivery/fault-injector';
import { shopifyRetryDelaysMs } from './webhooks/delivery/retry-schedule';
import { WebhookDeliveryClient } from './webhooks/delivery/webhook-delivery.client';
import { WebhookDeliveryEngine } from './webhooks/delivery/webhook-delivery.engine';
import { buildDelivery } from './webhooks/delivery/webhook-envelope';
import { WebhookStream } from './webhooks/traffic/webhook-stream';
import { WebhookTrafficGenerator } from './webhooks/traffic/webhook-traffic.generator';

async function send(options: SendOptions): Promise<number> {
  const client = new WebhookDeliveryClient({
    connections: options.concurrency,
    connectTimeoutMs: options['connect-timeout-ms'],
    responseTimeoutMs: options['timeout-ms'],
  });
  const engine = new WebhookDeliveryEngine(client, {
    concurrency: options.concurrency,
    retryDelaysMs: shopifyRetryDelaysMs(options['retry-time-scale']),
  });
  const seed = options.seed ?? randomUUID();
  const stream = new WebhookStream(
    'cli',
    {
      url: options.url,
      ratePerSecond: options.rate,
      count: options.count,
      durationMs: options.duration === undefined ? undefined : options.duration * 1000,
      shops: options.shops,
      mix: options.topics,
      faults: {
        ...NO_FAULTS,
        duplicateProbability: options.duplicates,
        reorderWindow: options['reorder-window'],
        delayProbability: options['delay-probability'],
        delayMaxMs: options['delay-max-ms'],
      },
      signing: {
        oldSecretProbability: options['old-secret-ratio'],
        wrongSecretProbability: options['wrong-secret-ratio'],
      },
      seed,
      apiVersion: options['api-version'],
      secrets: { current: options.secret, old: options['old-secret'] },
    },
    engine,
  );

  const started = Date.now();
  process.stderr.write(
    `shopify-sim: sending to ${options.url} at ${options.rate}/s (seed ${seed})\n`,
  );
  const progress = setInterval(() => {
    process.stderr.write(`${progressLine(Date.now() - started, stream.stats.snapshot())}\n`);
  }, 1000);
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
    stream.stop();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  stream.start();
  await stream.done;
  clearInterval(progress);
  await engine.close();
  await client.close();

  const stats = stream.stats.snapshot();
  const elapsed = Date.now() - started;
  process.stdout.write(
    options.json
      ? `${JSON.stringify({ seed, elapsedMs: elapsed, interrupted, ...stats })}\n`
      : `${summaryText(elapsed, stats, interrupted)}\n`,
  );
  return stats.failed > 0 || interrupted ? 1 : 0;
}

function sample(options: SampleOptions): number {
  const generator = new WebhookTrafficGenerator({ seed: options.seed, shops: [options.shop] });
  const at = new Date();
  // Updates and cancellations need an order to act on.
  if (options.topic === 'orders/updated' || options.topic === 'orders/cancelled')
    generator.nextOf('orders/create', at);
  const [event] = generator.nextOf(options.topic, new Date(at.getTime() + 60_000));
  const delivery = buildDelivery(event!, randomUUID(), {
    apiVersion: '2026-10',
    secrets: { current: options.secret },
  });
  process.stderr.write(`${JSON.stringify(delivery.headers, null, 2)}\n`);
  // No trailing newline: the bytes on stdout are exactly the signed body (curl --data-binary @-).
  process.stdout.write(delivery.body);
  return 0;
}

async function main(): Promise<number> {
  try {
    const parsed = parseCli(process.argv.slice(2));
    switch (parsed.command) {
      case 'help':
        process.stdout.write(`${CLI_USAGE}\n`);
        return 0;
      case 'sample':
        return sample(parsed.options);
      case 'send':
        return await send(parsed.options);
    }
  } catch (error) {
    if (error instanceof CliUsageError) {
      process.stderr.write(`${error.message}\n\n${CLI_USAGE}\n`);
      return 2;
    }
    throw error;
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`shopify-sim: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
