// Operator commands: `npm run ops -- dlq list|show|replay …` (Kafka), `webhooks-toml`, `reconcile-subscriptions <shop>`,
// `rotate-token-keys [--batch N]` (the shops service's token vault; runs the app's own script).
// Config from the environment (KAFKA_BROKERS); logs go to stderr so stdout stays parseable.
import { kafkaConnection, kafkaEnv, loadConfigOrExit, z } from '@shopwire/config';
import { DLQ_USAGE, runDlqCli } from '@shopwire/dead-letters';
import { createKafkaClient } from '@shopwire/kafka';
import {
  runReconcileSubscriptionsCli,
  runWebhooksTomlCli,
  SUBSCRIPTIONS_USAGE,
} from '@shopwire/shopify-subscriptions';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import pino from 'pino';

const ROTATE_USAGE =
  '  rotate-token-keys [--batch N]   re-seal every stored shop token under the first SHOPS_TOKEN_KEYS key';
const USAGE = `usage: npm run ops -- <area> …\n\n${DLQ_USAGE}\n${SUBSCRIPTIONS_USAGE}\n${ROTATE_USAGE}`;

async function main(argv: string[]): Promise<number> {
  const [area, ...rest] = argv;
  const io = {
    out: (line: string) => process.stdout.write(`${line}\n`),
    err: (line: string) => process.stderr.write(`${line}\n`),
    env: process.env,
  };
  if (area === 'webhooks-toml') return runWebhooksTomlCli(rest, io);
  if (area === 'reconcile-subscriptions') return runReconcileSubscriptionsCli(rest, io);
  if (area === 'rotate-token-keys') {
    // A process of its own, as migrations are: scripts never import an app's code.
    const entry = join(__dirname, '../apps/shops/src/credentials/rotate-token-keys.js');
    const result = spawnSync(process.execPath, [entry, ...rest], { stdio: 'inherit' });
    return result.status ?? 1;
  }
  if (area !== 'dlq') {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const config = loadConfigOrExit(z.object({ ...kafkaEnv }), 'ops');
  const logger = pino(
    { level: process.env.LOG_LEVEL ?? 'warn', base: { service: 'ops' } },
    pino.destination(2),
  );
  const kafka = createKafkaClient({
    ...kafkaConnection(config),
    clientId: config.KAFKA_CLIENT_ID ?? 'shopwire-ops',
    logger,
  });
  return runDlqCli(rest, {
    kafka,
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`ops failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
