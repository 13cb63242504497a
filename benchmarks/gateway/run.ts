// npm run bench:gateway — the gateway against a bare-Node baseline, in one run on one machine.
//
//   1. Baseline: bare `http` server verifying the HMAC (benchmarks/gateway/baseline-server.ts).
//   2. Gateway: the real app, writing every webhook to the real broker with acks=all.
//   Each gets a warm-up, then a closed-loop max-throughput run; the gateway then gets an
//   open-loop run at a fixed offered rate for ack latency. Every 200 is then looked up in Kafka.
//
// Env: BENCH_DURATION (s, default 15), BENCH_CONNECTIONS (default 64), BENCH_RATE (default 2000),
// KAFKA_BROKERS (default 127.0.0.1:9092). Needs `npm run infra -- up` and `npm run provision`.
import autocannon, { type Result } from 'autocannon';
import { ShopifyKafkaTopic } from '@shopwire/contracts';
import { signWebhookBody } from '@shopwire/shopify';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { kafkaConnection, kafkaEnv, loadConfig, z } from '@shopwire/config';
import { Kafka, logLevel } from 'kafkajs';
import { orderWebhookBody } from './order-payload';

const SECRET = 'bench-secret';
const SHOP = 'bench-store.myshopify.com';
const DURATION = Number(process.env.BENCH_DURATION ?? 15);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const RATE = Number(process.env.BENCH_RATE ?? 2000);
const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const DIST = join(__dirname, '../..');
// Distinct orders, so keys spread over partitions as real traffic does (one constant body would
// put every message on one partition and into one record batch).
const BODIES = Array.from({ length: 4096 }, (_, i) => {
  const body = orderWebhookBody(5, 820982911946154508n + BigInt(i) * 7919n);
  return { body, signature: signWebhookBody(SECRET, body) };
});
const BODY = BODIES[0].body;
let next = 0;

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function startProcess(
  script: string,
  env: Record<string, string>,
  readyUrl: string,
): Promise<ChildProcess> {
  const child = spawn(process.execPath, [join(DIST, script)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(readyUrl);
      // the baseline answers 401 to an unsigned GET, which proves it is listening
      if (response.ok || response.status === 401) return child;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGKILL');
  throw new Error(`${script} did not become ready`);
}

async function stopProcess(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** Runs autocannon with a fresh webhook id per request, recording the ids answered 200. */
function load(
  url: string,
  options: { duration: number; connections: number; overallRate?: number },
  acked: Set<string> | null,
): Promise<Result> {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: `${url}/webhooks/shopify`,
        duration: options.duration,
        connections: options.connections,
        overallRate: options.overallRate,
        requests: [
          {
            method: 'POST',
            setupRequest: (request, context) => {
              const webhookId = randomUUID();
              const { body, signature } = BODIES[next++ % BODIES.length];
              request.body = body;
              (context as { webhookId?: string }).webhookId = webhookId;
              request.headers = {
                'content-type': 'application/json',
                'x-shopify-topic': 'orders/create',
                'x-shopify-hmac-sha256': signature,
                'x-shopify-shop-domain': SHOP,
                'x-shopify-webhook-id': webhookId,
                'x-shopify-api-version': '2026-10',
              };
              return request;
            },
            onResponse: (status, _body, context) => {
              if (status === 200 && acked) acked.add((context as { webhookId: string }).webhookId);
            },
          },
        ],
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
}

async function topicOffsets(kafka: Kafka): Promise<Map<number, bigint>> {
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(ShopifyKafkaTopic.Orders);
  await admin.disconnect();
  return new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
}

/** Every webhook id written to the orders topic between two offset snapshots, with copy counts. */
async function readBack(
  kafka: Kafka,
  from: Map<number, bigint>,
  to: Map<number, bigint>,
): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  const remaining = new Map([...to].filter(([p, end]) => end > (from.get(p) ?? 0n)));
  if (remaining.size === 0) return ids;
  const consumer = kafka.consumer({
    groupId: `bench-readback-${randomUUID()}`,
    maxBytes: 50 * 1024 * 1024,
  });
  await consumer.connect();
  await consumer.subscribe({ topic: ShopifyKafkaTopic.Orders });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('read-back timed out')), 180_000);
    void consumer.run({
      eachBatch: async ({ batch }) => {
        const end = remaining.get(batch.partition);
        if (end === undefined) return;
        for (const message of batch.messages) {
          if (BigInt(message.offset) >= end) break;
          const id = message.headers?.['shopify-webhook-id']?.toString();
          if (id) ids.set(id, (ids.get(id) ?? 0) + 1);
        }
        if (BigInt(batch.lastOffset()) + 1n >= end) {
          remaining.delete(batch.partition);
          if (remaining.size === 0) {
            clearTimeout(timer);
            resolve();
          }
        }
      },
    });
    for (const [partition] of remaining) {
      consumer.seek({
        topic: ShopifyKafkaTopic.Orders,
        partition,
        offset: String(from.get(partition) ?? 0n),
      });
    }
  });
  await consumer.disconnect();
  return ids;
}

function summary(name: string, result: Result): string {
  const non2xx = result.non2xx + result.errors + result.timeouts;
  return (
    `${name.padEnd(28)} ${result.requests.average.toFixed(0).padStart(7)} req/s  ` +
    `p50 ${result.latency.p50.toFixed(1).padStart(6)} ms  p99 ${result.latency.p99.toFixed(1).padStart(6)} ms  ` +
    `2xx ${result['2xx']}  other ${non2xx}`
  );
}

async function main(): Promise<void> {
  log(
    `bench:gateway — ${BODY.length}-byte signed orders/create, ${CONNECTIONS} connections, ${DURATION}s per run`,
  );

  const baseline = await startProcess(
    'benchmarks/gateway/baseline-server.js',
    { PORT: '3090', SHOPIFY_WEBHOOK_SECRETS: SECRET },
    'http://127.0.0.1:3090/',
  );
  await load('http://127.0.0.1:3090', { duration: 3, connections: CONNECTIONS }, null);
  const baselineResult = await load(
    'http://127.0.0.1:3090',
    { duration: DURATION, connections: CONNECTIONS },
    null,
  );
  await stopProcess(baseline);
  log(summary('baseline (node http + HMAC)', baselineResult));

  const kafka = new Kafka({
    clientId: 'bench-gateway',
    // TLS/SASL from the same variables the services read (they inherit this environment).
    ...kafkaConnection(loadConfig(z.object(kafkaEnv))),
    logLevel: logLevel.NOTHING,
  });
  const gatewayEnv = {
    PORT: '3091',
    SHOPIFY_WEBHOOK_SECRETS: SECRET,
    KAFKA_BROKERS: BROKERS.join(','),
    LOG_LEVEL: 'warn',
  };
  const gateway = await startProcess(
    'apps/gateway/src/main.js',
    gatewayEnv,
    'http://127.0.0.1:3091/health/ready',
  );
  await load('http://127.0.0.1:3091', { duration: 3, connections: CONNECTIONS }, new Set());

  const start = await topicOffsets(kafka);
  const acked = new Set<string>();
  const gatewayResult = await load(
    'http://127.0.0.1:3091',
    { duration: DURATION, connections: CONNECTIONS },
    acked,
  );
  log(summary('gateway (acks=all)', gatewayResult));
  const rateResult = await load(
    'http://127.0.0.1:3091',
    { duration: DURATION, connections: CONNECTIONS, overallRate: RATE },
    acked,
  );
  log(summary(`gateway at ${RATE}/s offered`, rateResult));
  const end = await topicOffsets(kafka);
  const metrics = await (await fetch('http://127.0.0.1:3091/metrics')).text();
  await stopProcess(gateway);

  const inKafka = await readBack(kafka, start, end);
  const lost = [...acked].filter((id) => !inKafka.has(id)).length;
  const copies = [...inKafka.values()].reduce((a, b) => a + b, 0);
  const batchSum = Number(
    /shopwire_kafka_batch_messages_sum\{[^}]*\} (\S+)/.exec(metrics)?.[1] ?? 0,
  );
  const batchCount = Number(
    /shopwire_kafka_batch_messages_count\{[^}]*\} (\S+)/.exec(metrics)?.[1] ?? 1,
  );

  const ratio = gatewayResult.requests.average / baselineResult.requests.average;
  log('');
  log(`throughput ratio gateway/baseline: ${ratio.toFixed(2)} (target >= 0.5)`);
  log(
    `ack latency at ${RATE}/s offered: p50 ${rateResult.latency.p50} ms, p99 ${rateResult.latency.p99} ms (target p99 <= 50 ms); achieved ${rateResult.requests.average.toFixed(0)}/s`,
  );
  log(`mean Kafka batch: ${(batchSum / batchCount).toFixed(1)} messages per produce request`);
  log(
    `verification: acked=${acked.size} found-in-kafka=${[...acked].filter((id) => inKafka.has(id)).length} lost=${lost} messages-written=${copies} extra-copies=${copies - inKafka.size}`,
  );
  log(
    JSON.stringify({
      baselineRps: Math.round(baselineResult.requests.average),
      gatewayRps: Math.round(gatewayResult.requests.average),
      ratio: Number(ratio.toFixed(3)),
      rate: RATE,
      rateP50Ms: rateResult.latency.p50,
      rateP99Ms: rateResult.latency.p99,
      acked: acked.size,
      lost,
    }),
  );
  if (lost > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:gateway failed: ${String(error)}\n`);
  process.exit(1);
});
