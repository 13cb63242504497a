// npm run bench:idle — what a service costs while nothing happens: CPU (% of one core) and
// event-loop wake-ups per second of each consumer service, idle, against two floors measured in
// the same window:
//
//   - bare node: `node -e "setInterval(() => {}, 1000)"` — a Node process that does nothing;
//   - bare consumer: one kafkajs consumer in a group, idle, with the services' client and fetch
//     settings (bare-consumer.ts) — what one Kafka consumer costs before any Shopwire code.
//
// Every service runs from dist/ against the local broker, Postgres and Redis, with consumer
// groups of its own started at the topics' end (so an earlier run's backlog is not read), on ports
// of its own (BENCH_IDLE_PORT + the service's offset, default 3700+) so it can run beside other
// stacks. Once every process is ready it waits BENCH_IDLE_SETTLE_SECONDS (default 10: start-up
// work, first scheduler passes), then reads /proc/<pid>/stat and /proc/<pid>/status at the start
// and the end of a BENCH_IDLE_SECONDS window (default 30), for every process at once.
//
// "wake-ups/s" is the main thread's voluntary context switches per second: each is the event
// loop blocking in epoll and being woken (a timer, a socket). Messages that other users of the
// broker write to the services' topics during the window are counted and printed: the services
// consume them, so the numbers are not idle ones then.
//
// The services use a database of their own, created (and migrated) for the run next to
// DATABASE_URL's and dropped afterwards: rows left in an outbound queue by earlier runs (emails,
// ERP calls to stand-ins that are not running here) would be retried in the window otherwise.
//
// BENCH_IDLE_SERVICES=order,sync limits the services. Needs `npm run infra -- up`, DATABASE_URL.
import { CACHE_PURGE_TOPICS } from '@shopwire/cache';
import { kafkaConnection, kafkaEnv, loadConfig, z } from '@shopwire/config';
import {
  ConsumerGroup,
  DomainTopic,
  jobsTopicOf,
  retryTopicOf,
  ShopifyKafkaTopic,
  SUBSCRIPTIONS,
} from '@shopwire/contracts';
import { startGroupAtEnd, startService, type ServiceProcess } from '@shopwire/testing';
import { Kafka, logLevel } from 'kafkajs';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'pg';
import { contextSwitches, cpuSeconds } from '../shared/proc-stats';

// dist/benchmarks/idle → the repository root
const ROOT = join(__dirname, '../../..');
const SETTLE_SECONDS = Number(process.env.BENCH_IDLE_SETTLE_SECONDS ?? 10);
const WINDOW_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 30);
const PORT_BASE = Number(process.env.BENCH_IDLE_PORT ?? 3700);
const RUN = randomUUID().slice(0, 8);
const TOKEN = 'bench-idle-token-0123456789abcdef';
const SECRET = 'bench-idle-webhook-secret';

const log = (line: string) => process.stdout.write(`${line}\n`);

interface IdleService {
  name: string;
  /** Added to BENCH_IDLE_PORT: the usual order of the default ports (gateway 0, order 1, …). */
  portOffset: number;
  /** Consumer group env var → the topics that group reads (its retry topic included). */
  groups: Record<string, readonly string[]>;
  env?: Record<string, string>;
}

const withRetry = (group: ConsumerGroup) => [...SUBSCRIPTIONS[group], retryTopicOf(group)];

/** Every service that runs all the time, with every consumer group it starts. */
const SERVICES: IdleService[] = [
  { name: 'gateway', portOffset: 0, groups: {}, env: { SHOPIFY_WEBHOOK_SECRETS: SECRET } },
  { name: 'order', portOffset: 1, groups: { ORDER_CONSUMER_GROUP: withRetry('order') } },
  {
    name: 'inventory',
    portOffset: 2,
    groups: { INVENTORY_CONSUMER_GROUP: withRetry('inventory') },
  },
  {
    name: 'notification',
    portOffset: 3,
    groups: { NOTIFICATION_CONSUMER_GROUP: withRetry('notification') },
  },
  {
    name: 'analytics',
    portOffset: 4,
    groups: {
      ANALYTICS_CONSUMER_GROUP: withRetry('analytics'),
      JOBS_CONSUMER_GROUP: [jobsTopicOf('analytics')],
    },
  },
  {
    name: 'sync',
    portOffset: 5,
    groups: {
      SYNC_CONSUMER_GROUP: withRetry('sync'),
      JOBS_CONSUMER_GROUP: [jobsTopicOf('sync')],
      CACHE_PURGE_GROUP: CACHE_PURGE_TOPICS,
    },
    env: { CACHE_KEY_PREFIX: `shopwire-bench-idle:${RUN}:cache` },
  },
  {
    name: 'shops',
    portOffset: 6,
    groups: {
      SHOPS_CONSUMER_GROUP: [ShopifyKafkaTopic.Compliance, retryTopicOf(ConsumerGroup.Shops)],
      SUBSCRIPTIONS_CONSUMER_GROUP: [DomainTopic.ShopInstallationChanged],
    },
    env: {
      SHOPIFY_API_KEY: 'bench-idle-client',
      SHOPIFY_API_SECRET: 'bench-idle-client-secret-0123456789',
      SHOPS_TOKEN_KEYS: `k1:${randomBytes(32).toString('base64')}`,
      SHOPS_COOKIE_SECRET: randomBytes(32).toString('hex'),
      SHOPS_UNINSTALLED_SET_KEY: `shopwire-bench-idle:${RUN}:uninstalled`,
    },
  },
];

interface Measured {
  name: string;
  pid: number | undefined;
}

interface Reading {
  cpu: number;
  wakeups: number;
  switches: number;
}

const read = (pid: number | undefined): Reading => {
  const { mainVoluntary, allThreads } = contextSwitches(pid);
  return { cpu: cpuSeconds(pid), wakeups: mainVoluntary, switches: allThreads };
};

/** Every process the benchmark started, so an interrupted run does not leave them behind. */
const services: ServiceProcess[] = [];
const floors: ChildProcess[] = [];

async function stopAll(): Promise<void> {
  for (const child of floors) if (child.exitCode === null) child.kill('SIGTERM');
  await Promise.all([...services].reverse().map((service) => service.stop('SIGTERM')));
}

for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    void stopAll().finally(() => process.exit(130));
  });

/** Starts a floor process; resolves once it printed `ready` (or at once when `ready` is null). */
function startFloor(args: string[], ready: string | null): Promise<ChildProcess> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  floors.push(child);
  if (ready === null) return Promise.resolve(child);
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')} not ready`)), 60_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(ready)) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)));
  });
}

/** The sum of the end offsets of `topics`: what was written to them, as a number to difference. */
async function writtenTo(kafka: Kafka, topics: readonly string[]): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    let sum = 0;
    for (const topic of topics)
      for (const { high } of await admin.fetchTopicOffsets(topic)) sum += Number(high);
    return sum;
  } finally {
    await admin.disconnect();
  }
}

/** A fresh database beside DATABASE_URL's, for this run only; its URL, and how to drop it. */
async function runDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const base = new URL(process.env.DATABASE_URL ?? '');
  const name = `${base.pathname.slice(1) || 'postgres'}_idle_${RUN}`.replace(/[^a-z0-9_]/gi, '_');
  const admin = new Client({ connectionString: base.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(base.toString());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new Client({ connectionString: base.toString() });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await client.end();
    },
  };
}

async function main(): Promise<void> {
  if (!process.env.DATABASE_URL) throw new Error('DATABASE_URL is required');
  spawnSync('node', [join(ROOT, 'scripts/build.mjs')], { stdio: 'ignore' });
  spawnSync(process.execPath, [join(ROOT, 'dist/scripts/provision.js')], { stdio: 'ignore' });
  const database = await runDatabase();
  // The services (started with this process's environment) and the migrations use it.
  process.env.DATABASE_URL = database.url;
  try {
    await measure();
  } finally {
    await database.drop().catch(() => undefined);
  }
}

async function measure(): Promise<void> {
  const migrated = spawnSync(process.execPath, [join(ROOT, 'scripts/migrate.mjs')], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (migrated.status !== 0) throw new Error('migrations failed');
  const kafka = new Kafka({
    clientId: 'bench-idle',
    ...kafkaConnection(loadConfig(z.object(kafkaEnv))),
    logLevel: logLevel.NOTHING,
  });
  const only = process.env.BENCH_IDLE_SERVICES?.split(',').map((s) => s.trim());
  const selected = SERVICES.filter((s) => !only || only.includes(s.name));
  const allTopics = [...new Set(selected.flatMap((s) => Object.values(s.groups).flat()))];

  log(
    `bench:idle — ${selected.map((s) => s.name).join(', ')}; settle ${SETTLE_SECONDS} s, window ${WINDOW_SECONDS} s`,
  );
  const measured: Measured[] = [];
  try {
    const bareNode = await startFloor(['-e', 'setInterval(() => {}, 1000)'], null);
    const bareTopic = ShopifyKafkaTopic.Orders;
    const bareConsumer = await startFloor(
      [join(ROOT, 'dist/benchmarks/idle/bare-consumer.js'), `bench-idle-bare-${RUN}`, bareTopic],
      'ready',
    );
    measured.push({ name: 'bare node', pid: bareNode.pid });
    measured.push({ name: 'bare consumer', pid: bareConsumer.pid });

    for (const spec of selected) {
      const env: Record<string, string> = {
        API_TOKENS: `bench:${TOKEN}`,
        ...spec.env,
      };
      for (const [variable, topics] of Object.entries(spec.groups)) {
        const group = `bench-idle-${RUN}-${spec.name}-${variable.toLowerCase().replace(/_/g, '-')}`;
        await startGroupAtEnd(kafka, group, topics);
        env[variable] = group;
      }
      const started = Date.now();
      const service = await startService(spec.name, PORT_BASE + spec.portOffset, env);
      services.push(service);
      measured.push({ name: spec.name, pid: service.child.pid });
      log(`  ${spec.name} ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }

    await new Promise((r) => setTimeout(r, SETTLE_SECONDS * 1000));
    const writtenBefore = await writtenTo(kafka, allTopics);
    const before = measured.map(({ pid }) => read(pid));
    const startedAt = performance.now();
    await new Promise((r) => setTimeout(r, WINDOW_SECONDS * 1000));
    const after = measured.map(({ pid }) => read(pid));
    const seconds = (performance.now() - startedAt) / 1000;
    const arrived = (await writtenTo(kafka, allTopics)) - writtenBefore;

    const rows = measured.map(({ name }, i) => ({
      name,
      cpuPercent: (100 * (after[i].cpu - before[i].cpu)) / seconds,
      wakeupsPerSecond: (after[i].wakeups - before[i].wakeups) / seconds,
      switchesPerSecond: (after[i].switches - before[i].switches) / seconds,
    }));
    const consumerFloor = rows[1].cpuPercent;
    log('');
    log(`| process       | % of a core | wake-ups/s | all threads' switches/s | ÷ bare consumer |`);
    log(`| ------------- | ----------: | ---------: | ----------------------: | --------------: |`);
    for (const row of rows)
      log(
        `| ${row.name.padEnd(13)} | ${row.cpuPercent.toFixed(2).padStart(11)} | ${row.wakeupsPerSecond
          .toFixed(0)
          .padStart(10)} | ${row.switchesPerSecond.toFixed(0).padStart(23)} | ${(consumerFloor > 0
          ? (row.cpuPercent / consumerFloor).toFixed(1)
          : '–'
        ).padStart(15)} |`,
      );
    const servicesOnly = rows.slice(2);
    log('');
    log(
      `${seconds.toFixed(1)} s window; ${arrived} message(s) written to the services' topics meanwhile` +
        (arrived > 0 ? ' (by someone else: the services consumed them, so not a pure idle)' : ''),
    );
    log(
      JSON.stringify({
        windowSeconds: Number(seconds.toFixed(1)),
        messagesArrived: arrived,
        maxServiceCpuPercent: Number(Math.max(...servicesOnly.map((r) => r.cpuPercent)).toFixed(2)),
        rows: rows.map((r) => ({
          name: r.name,
          cpuPercent: Number(r.cpuPercent.toFixed(2)),
          wakeupsPerSecond: Number(r.wakeupsPerSecond.toFixed(0)),
        })),
      }),
    );
  } finally {
    await stopAll();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:idle failed: ${String(error)}\n`);
  void stopAll().finally(() => process.exit(1));
});
