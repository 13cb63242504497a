// npm run bench:pipeline — Shopify order webhooks from the simulator, through the gateway and
// Kafka, into every service; against the storage limit measured in the same run.
//
//   1. Baseline: one process inserting the same orders straight into Postgres in batches.
//   2. Throughput: BENCH_ORDERS orders sent as fast as the simulator can; the clock stops when
//      every service has applied every order. Peak consumer lag and drain time are sampled.
//   3. Latency: BENCH_RATE orders/s for BENCH_LATENCY_SECONDS; webhook-to-order-row latency
//      (gateway receipt → order row committed) p50/p99 from the rows' own timestamps.
//   4. Verification: each service's effects counted against what was sent (lost, doubled).
//
// Needs `npm run infra -- up` (the script builds, provisions and migrates itself).
import { Kafka, logLevel } from 'kafkajs';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { Client } from 'pg';
import { baselineInsertRate } from './storage-baseline';
import { PIPELINE_SERVICES, type ServiceSpec } from '@shopwire/testing';

// dist/benchmarks/pipeline → the repository root
const ROOT = join(__dirname, '../../..');
const ORDERS = Number(process.env.BENCH_ORDERS ?? 5000);
const RATE = Number(process.env.BENCH_RATE ?? 500);
const LATENCY_SECONDS = Number(process.env.BENCH_LATENCY_SECONDS ?? 20);
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const SECRET = 'bench-pipeline-secret';
const TOKEN = 'bench-pipeline-token-0123456789';
const RUN = randomUUID().slice(0, 8);
// BENCH_PROFILE=<dir>: each service writes a V8 CPU profile there when it stops (open it in
// Chrome DevTools or speedscope) — how the per-stage costs in docs/benchmarks.md were found.
const PROFILE_DIR = process.env.BENCH_PROFILE;

const log = (line: string) => process.stdout.write(`${line}\n`);

interface Running {
  spec: ServiceSpec;
  child: ChildProcess;
  group: string | null;
}

async function waitReady(url: string, child: ChildProcess, name: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/health/ready`)).ok) return;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${name} not ready`);
}

/** Fresh consumer groups start at each topic's end, so earlier runs' backlog does not count. */
async function freshGroup(kafka: Kafka, group: string, topics: readonly string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  for (const topic of topics) {
    const offsets = await admin.fetchTopicOffsets(topic);
    await admin.setOffsets({
      groupId: group,
      topic,
      partitions: offsets.map((o) => ({ partition: o.partition, offset: o.high })),
    });
  }
  await admin.disconnect();
}

async function startServices(kafka: Kafka): Promise<Running[]> {
  const running: Running[] = [];
  for (const spec of PIPELINE_SERVICES) {
    const group = spec.groupEnv ? `${spec.name}-bench-${RUN}` : null;
    if (group) await freshGroup(kafka, group, spec.topics);
    const env: Record<string, string> = {
      ...(process.env as Record<string, string>),
      PORT: String(spec.port),
      LOG_LEVEL: 'warn',
      KAFKAJS_NO_PARTITIONER_WARNING: '1',
      API_TOKENS: `bench:${TOKEN}`,
      SHOPIFY_WEBHOOK_SECRETS: SECRET,
      SHOPIFY_WEBHOOK_SECRET: SECRET,
      ...spec.env,
    };
    if (group && spec.groupEnv) env[spec.groupEnv] = group;
    const profile = PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}/${spec.name}`] : [];
    const main = join(ROOT, 'dist/apps', spec.name, 'src/main.js');
    const child = spawn(process.execPath, [...profile, main], {
      env,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    running.push({ spec, child, group });
    await waitReady(`http://127.0.0.1:${spec.port}`, child, spec.name);
  }
  return running;
}

/** Total lag of the benchmark's consumer groups over the topics they read. */
async function totalLag(kafka: Kafka, running: Running[]): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  let lag = 0;
  try {
    for (const { spec, group } of running) {
      if (!group) continue;
      for (const topic of spec.topics) {
        const [ends, committed] = await Promise.all([
          admin.fetchTopicOffsets(topic),
          admin.fetchOffsets({ groupId: group, topics: [topic] }),
        ]);
        const done = new Map(committed[0].partitions.map((p) => [p.partition, Number(p.offset)]));
        for (const end of ends)
          lag += Math.max(0, Number(end.high) - Math.max(0, done.get(end.partition) ?? 0));
      }
    }
  } finally {
    await admin.disconnect();
  }
  return lag;
}

function send(shop: string, args: string[]): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        join(ROOT, 'dist/apps/shopify-sim/src/cli.js'),
        'send',
        '--shops',
        shop,
        '--topics',
        'orders/create=1',
        '--json',
        ...args,
      ],
      {
        env: {
          ...process.env,
          GATEWAY_URL: 'http://127.0.0.1:3000/webhooks/shopify',
          SHOPIFY_WEBHOOK_SECRET: SECRET,
          LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'ignore', 'ignore'],
      },
    );
    child.once('exit', resolve);
  });
}

/** CPU seconds a process has used so far (Linux /proc; 0 elsewhere). */
function cpuSeconds(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks
  } catch {
    return 0;
  }
}

/** The whole machine's busy and total CPU seconds so far (all cores), from /proc/stat. */
function machineCpu(): { busy: number; total: number } {
  try {
    const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
    const n = ticks.map(Number);
    const idle = n[3] + n[4];
    const total = n.reduce((a, b) => a + b, 0);
    return { busy: (total - idle) / 100, total: total / 100 };
  } catch {
    return { busy: 0, total: 0 };
  }
}

async function effects(db: Client, shop: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const spec of PIPELINE_SERVICES) {
    for (const [name, sql] of Object.entries(spec.effects ?? {})) {
      const result = await db.query<{ n: string }>(sql, [shop]);
      counts[`${spec.name}.${name}`] = Number(result.rows[0]?.n ?? 0);
    }
  }
  return counts;
}

async function waitAllApplied(
  db: Client,
  shop: string,
  expected: number,
  kafka: Kafka,
  running: Running[],
  onSample: (lag: number) => void,
): Promise<Record<string, number>> {
  const deadline = Date.now() + 600_000;
  let last: Record<string, number> = {};
  let lastProgress = '';
  while (Date.now() < deadline) {
    last = await effects(db, shop);
    onSample(await totalLag(kafka, running));
    const progress = Object.entries(last)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    if (progress !== lastProgress) process.stderr.write(`  ${progress}\n`);
    lastProgress = progress;
    if (Object.values(last).every((n) => n >= expected)) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  return last;
}

async function main(): Promise<void> {
  spawnSync('node', [join(ROOT, 'scripts/build.mjs')], { stdio: 'ignore' });
  spawnSync(process.execPath, [join(ROOT, 'dist/scripts/provision.js')], { stdio: 'ignore' });
  spawnSync(process.execPath, [join(ROOT, 'scripts/migrate.mjs')], { stdio: 'ignore' });
  const db = new Client({ connectionString: DATABASE_URL });
  await db.connect();
  const kafka = new Kafka({
    clientId: 'bench-pipeline',
    brokers: BROKERS,
    logLevel: logLevel.NOTHING,
  });

  log(`bench:pipeline — services: ${PIPELINE_SERVICES.map((s) => s.name).join(', ')}`);
  const baseline = await baselineInsertRate(db, ORDERS);
  log(
    `baseline: one process inserting ${ORDERS} orders (with line items) in batches: ${baseline.toFixed(0)} orders/s`,
  );

  const running = await startServices(kafka);
  try {
    // Throughput: as fast as the simulator sends.
    const shop = `bench-${RUN}.myshopify.com`;
    let peakLag = 0;
    const cpuBefore = running.map(({ child }) => cpuSeconds(child.pid));
    const machineBefore = machineCpu();
    const started = Date.now();
    const sendExit = send(shop, [
      '--count',
      String(ORDERS),
      '--rate',
      '10000',
      '--concurrency',
      '128',
      '--seed',
      `t-${RUN}`,
    ]);
    let sendDoneAt = 0;
    void sendExit.then(() => (sendDoneAt = Date.now()));
    let drainedAt = 0;
    const counts = await waitAllApplied(db, shop, ORDERS, kafka, running, (lag) => {
      peakLag = Math.max(peakLag, lag);
      if (sendDoneAt && lag === 0 && !drainedAt) drainedAt = Date.now();
    });
    const finished = Date.now();
    const cpuUsed = running.map(({ child }, i) => cpuSeconds(child.pid) - cpuBefore[i]);
    const machineAfter = machineCpu();
    const exit = await sendExit;
    const seconds = (finished - started) / 1000;
    const throughput = ORDERS / seconds;
    log(
      `throughput: ${ORDERS} orders fully processed by every service in ${seconds.toFixed(1)} s = ${throughput.toFixed(0)} orders/s (simulator exit ${exit})`,
    );
    log(
      `sending took ${((sendDoneAt - started) / 1000).toFixed(1)} s; peak consumer lag ${peakLag} messages; drained ${drainedAt ? ((drainedAt - sendDoneAt) / 1000).toFixed(1) : '?'} s after the last send`,
    );
    log(`ratio to the storage baseline: ${(throughput / baseline).toFixed(2)}`);
    // Where the time went: CPU per order in each process. On a saturated machine the sum bounds
    // throughput at (cores × 1000 / total ms per order) whatever the pipeline's shape.
    const perOrder = running.map(({ spec }, i) => ({
      name: spec.name,
      ms: (cpuUsed[i] * 1000) / ORDERS,
    }));
    const machineBusy = machineAfter.busy - machineBefore.busy;
    const cores = (machineAfter.total - machineBefore.total) / seconds;
    log(
      `cpu per order: ${perOrder.map((p) => `${p.name} ${p.ms.toFixed(2)} ms`).join(', ')}; ` +
        `services ${perOrder.reduce((a, p) => a + p.ms, 0).toFixed(1)} ms, whole machine ` +
        `${((machineBusy * 1000) / ORDERS).toFixed(1)} ms (broker, Postgres and anything else ` +
        `running included); machine busy ${((100 * machineBusy) / (machineAfter.total - machineBefore.total)).toFixed(0)} % of ${cores.toFixed(0)} cores`,
    );
    const lost = Object.entries(counts).filter(([, n]) => n < ORDERS);
    const doubled = Object.entries(counts).filter(([, n]) => n > ORDERS);
    log(
      `verification: ${Object.entries(counts)
        .map(([k, n]) => `${k}=${n}`)
        .join(
          ' ',
        )} → lost=${lost.length ? lost.map(([k, n]) => `${k}:${ORDERS - n}`).join(',') : 0} doubled=${doubled.length ? doubled.map(([k, n]) => `${k}:${n - ORDERS}`).join(',') : 0}`,
    );

    // Latency at a fixed offered rate.
    const latencyShop = `bench-lat-${RUN}.myshopify.com`;
    const total = RATE * LATENCY_SECONDS;
    await send(latencyShop, [
      '--count',
      String(total),
      '--rate',
      String(RATE),
      '--seed',
      `l-${RUN}`,
    ]);
    await waitAllApplied(db, latencyShop, total, kafka, running, () => undefined);
    const latency = await db.query<{ p50: number; p99: number; n: string }>(
      `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50, percentile_cont(0.99) WITHIN GROUP (ORDER BY ms) AS p99, count(*) AS n
         FROM (SELECT extract(epoch FROM applied_at - received_at) * 1000 AS ms FROM orders.orders WHERE shop_domain = $1) t`,
      [latencyShop],
    );
    const row = latency.rows[0];
    log(
      `latency at ${RATE} orders/s for ${LATENCY_SECONDS}s: webhook-to-order-row p50 ${Number(row.p50).toFixed(0)} ms, p99 ${Number(row.p99).toFixed(0)} ms over ${row.n} orders`,
    );
    log(
      JSON.stringify({
        orders: ORDERS,
        throughput: Math.round(throughput),
        baseline: Math.round(baseline),
        ratio: Number((throughput / baseline).toFixed(3)),
        peakLag,
        p50Ms: Math.round(Number(row.p50)),
        p99Ms: Math.round(Number(row.p99)),
        lost: lost.length,
        doubled: doubled.length,
      }),
    );
    if (lost.length || doubled.length) process.exitCode = 1;
  } finally {
    const exited = running.map(
      ({ child }) =>
        new Promise((resolve) =>
          child.exitCode === null ? child.once('exit', resolve) : resolve(null),
        ),
    );
    for (const { child } of running.reverse()) child.kill('SIGTERM');
    await Promise.race([Promise.all(exited), new Promise((r) => setTimeout(r, 30_000))]);
    await db.end();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:pipeline failed: ${String(error)}\n`);
  process.exit(1);
});
