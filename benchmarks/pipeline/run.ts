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
// BENCH_REPLICAS=N (N > 1) adds a scale-out run after step 2 (docs/scaling.md):
//   2b. The same throughput run again with N order and N inventory processes (each service's
//       replicas in one consumer group, on distinct ports) and two gateways behind nginx
//       (scripts/lb.sh), the simulator sending to nginx; the ratio to step 2 is printed.
//   2c. Kill test: another BENCH_ORDERS orders; once a third of them are applied, one order and
//       one inventory replica get SIGKILL; the groups rebalance, the survivors finish, and every
//       service's effects must still be exactly BENCH_ORDERS (lost = doubled = 0).
//   Step 3 then runs on the scaled topology. BENCH_LATENCY_SECONDS=0 skips step 3.
// BENCH_SCALE=<services> (default order,inventory): the services the replicas run scales out
//   and BENCH_CPU_LIMIT limits — e.g. `inventory` alone measures how inventory spreads while the
//   order service (one unlimited process) keeps it fed.
// BENCH_KILL_REPLICA_AT=F (0 < F < 1): in the N-replica throughput run itself, once a fraction
//   F of the orders is committed by inventory, SIGKILL the last inventory replica and start it
//   again (same group); the run's time includes the recovery and lost/doubled must stay 0. The
//   separate kill test (2c) is then skipped. BENCH_SESSION_TIMEOUT_MS sets the scaled services'
//   KAFKA_SESSION_TIMEOUT_MS (default: theirs, 30 s), how long the group waits for the dead one.
// Every run also checks inventory's books: per shop, the committed quantity of every SKU equals
//   the sum of what the orders it holds reserve (a doubled or lost SKU change shows there even
//   when every order has its row).
// BENCH_SHOPS=N (default 1) spreads the throughput and kill runs' orders over N shops (the
//   simulator picks a shop per webhook): inventory serialises each shop's changes, so with one
//   shop its replicas take turns; many shops is the platform-wide case (docs/scaling.md).
// Each throughput run is preceded by a warm-up of BENCH_WARMUP orders (default 300; 0 skips it)
//   that is applied in full before the clock starts: JIT, connection pools and the consumer
//   groups' rebalances after the replicas joined are not what the run measures.
// BENCH_CPU_LIMIT=C (cores, e.g. 0.1) gives every order and inventory process, in the 1-replica
//   and the N-replica runs alike, its own CPU limit of C cores (a cgroup CFS quota — what a pod's
//   `resources.limits.cpu` is), so each replica adds C cores as it would in a cluster instead of
//   competing for the same ones (cpu-limit.ts; needs root). Other services are not limited.
//
// Needs `npm run infra -- up` (the script builds, provisions and migrates itself).
import { kafkaConnection, kafkaEnv, loadConfig, z } from '@shopwire/config';
import { Kafka, logLevel } from 'kafkajs';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { Client } from 'pg';
import { cpuLimit, type CpuLimit } from './cpu-limit';
import { baselineInsertRate } from './storage-baseline';
import { cpuSeconds, machineCpu } from '../shared/proc-stats';
import { PIPELINE_SERVICES, type ServiceSpec } from '@shopwire/testing';

// dist/benchmarks/pipeline → the repository root
const ROOT = join(__dirname, '../../..');
const ORDERS = Number(process.env.BENCH_ORDERS ?? 5000);
const RATE = Number(process.env.BENCH_RATE ?? 500);
const LATENCY_SECONDS = Number(process.env.BENCH_LATENCY_SECONDS ?? 20);
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SECRET = 'bench-pipeline-secret';
const TOKEN = 'bench-pipeline-token-0123456789';
const RUN = randomUUID().slice(0, 8);
// BENCH_PROFILE=<dir>: each service writes a V8 CPU profile there when it stops (open it in
// Chrome DevTools or speedscope) — how the per-stage costs in docs/benchmarks.md were found.
const PROFILE_DIR = process.env.BENCH_PROFILE;
// Services' logs: tmp/bench-logs/<run>/<service>[-<replica>].log under the repository root.
const LOG_DIR = join(ROOT, 'tmp/bench-logs', RUN);
const REPLICAS = Number(process.env.BENCH_REPLICAS ?? 1);
/** Services scaled out (and CPU-limited) in the replicas run: by default the two that consume
 * the webhook topics. */
const SCALED = new Set(
  (process.env.BENCH_SCALE ?? 'order,inventory')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean),
);
const KILL_REPLICA_AT = process.env.BENCH_KILL_REPLICA_AT
  ? Number(process.env.BENCH_KILL_REPLICA_AT)
  : null;
const SESSION_TIMEOUT_MS = process.env.BENCH_SESSION_TIMEOUT_MS;
const LB_PORT = Number(process.env.LB_PORT ?? 8080);
const SHOPS = Number(process.env.BENCH_SHOPS ?? 1);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 300);
const CPU_LIMIT = process.env.BENCH_CPU_LIMIT ? Number(process.env.BENCH_CPU_LIMIT) : null;
/** Replica i of a service listens on its port + 10·i (order 3001, 3011, 3021, …). */
const replicaPort = (port: number, replica: number): number => port + 10 * replica;

const log = (line: string) => process.stdout.write(`${line}\n`);

interface Running {
  spec: ServiceSpec;
  child: ChildProcess;
  group: string | null;
  port: number;
  replica: number;
  /** The process's own CPU limit (BENCH_CPU_LIMIT), for the SCALED services only. */
  limit: CpuLimit | null;
}

/** Every process the benchmark started, so an interrupted run does not leave them behind. */
const children = new Set<ChildProcess>();
let lbStarted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    for (const child of children) if (alive(child)) child.kill('SIGTERM');
    if (lbStarted) lb('down');
    process.exit(130);
  });

/** Running processes whose exit has not been seen yet (a SIGKILLed one has a signalCode). */
const alive = (child: ChildProcess): boolean =>
  child.exitCode === null && child.signalCode === null;

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

/**
 * Starts every pipeline service; with `replicas` > 1 the SCALED services run that many
 * processes each (one consumer group per service) and the gateway runs two.
 */
async function startServices(kafka: Kafka, replicas = 1, phase = 'p1'): Promise<Running[]> {
  const running: Running[] = [];
  for (const spec of PIPELINE_SERVICES) {
    const group = spec.groupEnv ? `${spec.name}-bench-${RUN}-${phase}` : null;
    if (group) await freshGroup(kafka, group, spec.topics);
    const count =
      replicas > 1 && SCALED.has(spec.name)
        ? replicas
        : replicas > 1 && spec.name === 'gateway'
          ? 2
          : 1;
    for (let replica = 0; replica < count; replica++) {
      try {
        running.push(await startOne(spec, group, replica, phase));
      } catch (error) {
        // Those already up would outlive the benchmark (and hold their ports) otherwise.
        await stopServices(running);
        throw error;
      }
    }
  }
  return running;
}

async function startOne(
  spec: ServiceSpec,
  group: string | null,
  replica: number,
  phase: string,
): Promise<Running> {
  const port = replicaPort(spec.port, replica);
  // A leftover process on the port would answer the readiness probe in this one's place.
  if (
    await fetch(`http://127.0.0.1:${port}/health/live`).then(
      () => true,
      () => false,
    )
  )
    throw new Error(`port ${port} is already in use: ${spec.name}#${replica} cannot start`);
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    PORT: String(port),
    LOG_LEVEL: 'warn',
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
    API_TOKENS: `bench:${TOKEN}`,
    SHOPIFY_WEBHOOK_SECRETS: SECRET,
    SHOPIFY_WEBHOOK_SECRET: SECRET,
    ...spec.env,
  };
  if (group && spec.groupEnv) env[spec.groupEnv] = group;
  if (SESSION_TIMEOUT_MS && SCALED.has(spec.name))
    env.KAFKA_SESSION_TIMEOUT_MS = SESSION_TIMEOUT_MS;
  const profile = PROFILE_DIR
    ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}/${spec.name}${replica ? `-${replica}` : ''}`]
    : [];
  const main = join(ROOT, 'dist/apps', spec.name, 'src/main.js');
  // Each process's JSON log (warnings and errors) is kept for the post-mortem of a bad run.
  mkdirSync(LOG_DIR, { recursive: true });
  const logFile = openSync(join(LOG_DIR, `${spec.name}${replica ? `-${replica}` : ''}.log`), 'a');
  const child = spawn(process.execPath, [...profile, main], {
    env,
    stdio: ['ignore', logFile, 'inherit'],
  });
  closeSync(logFile); // the child holds its own copy
  children.add(child);
  await waitReady(`http://127.0.0.1:${port}`, child, `${spec.name}#${replica}`);
  // Limited once ready: start-up is not what the runs measure, and under a small quota Nest's
  // start-up alone would take most of the readiness timeout.
  const limit =
    CPU_LIMIT && SCALED.has(spec.name)
      ? cpuLimit(`${RUN}-${phase}-${spec.name}-${replica}`, CPU_LIMIT)
      : null;
  if (limit && child.pid) limit.attach(child.pid);
  return { spec, child, group, port, replica, limit };
}

/** Stops every process (SIGTERM, 30 s grace) — those already killed are skipped. */
async function stopServices(running: Running[]): Promise<void> {
  const exited = running.map(
    ({ child }) =>
      new Promise((resolve) => (alive(child) ? child.once('exit', resolve) : resolve(null))),
  );
  for (const { child } of [...running].reverse()) if (alive(child)) child.kill('SIGTERM');
  await Promise.race([Promise.all(exited), new Promise((r) => setTimeout(r, 30_000))]);
  for (const { limit } of running) limit?.remove();
}

/** scripts/lb.sh with the gateways of `running` as upstreams. */
function lb(command: 'up' | 'down', running: Running[] = []): void {
  const upstreams = running
    .filter((r) => r.spec.name === 'gateway')
    .map((r) => `127.0.0.1:${r.port}`)
    .join(',');
  const result = spawnSync('bash', [join(ROOT, 'scripts/lb.sh'), command], {
    env: {
      ...process.env,
      LB_PORT: String(LB_PORT),
      ...(upstreams ? { LB_UPSTREAMS: upstreams } : {}),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (result.status !== 0) throw new Error(`scripts/lb.sh ${command} exited with ${result.status}`);
}

/** Total lag of the benchmark's consumer groups over the topics they read. */
async function totalLag(kafka: Kafka, running: Running[]): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  let lag = 0;
  const seen = new Set<string>();
  try {
    for (const { spec, group } of running) {
      // Replicas share their group: count it once.
      if (!group || seen.has(group)) continue;
      seen.add(group);
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

/** Where the simulator sends: the first gateway directly, or nginx in front of several. */
let gatewayUrl = 'http://127.0.0.1:3000/webhooks/shopify';

function send(shops: string[], args: string[]): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        join(ROOT, 'dist/apps/shopify-sim/src/cli.js'),
        'send',
        '--shops',
        shops.join(','),
        '--topics',
        'orders/create=1',
        '--json',
        ...args,
      ],
      {
        env: {
          ...process.env,
          GATEWAY_URL: gatewayUrl,
          SHOPIFY_WEBHOOK_SECRET: SECRET,
          LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'ignore', 'ignore'],
      },
    );
    child.once('exit', resolve);
  });
}

/** Each service's effects, summed over the shops. */
async function effects(db: Client, shops: string[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const spec of PIPELINE_SERVICES) {
    for (const [name, sql] of Object.entries(spec.effects ?? {})) {
      let n = 0;
      for (const shop of shops) {
        const result = await db.query<{ n: string }>(sql, [shop]);
        n += Number(result.rows[0]?.n ?? 0);
      }
      counts[`${spec.name}.${name}`] = n;
    }
  }
  return counts;
}

async function waitAllApplied(
  db: Client,
  shops: string[],
  expected: number,
  kafka: Kafka,
  running: Running[],
  onSample: (lag: number, counts: Record<string, number>) => void,
  doneAt: Map<string, number> = new Map(),
): Promise<Record<string, number>> {
  const deadline = Date.now() + 600_000;
  let last: Record<string, number> = {};
  let lastProgress = '';
  while (Date.now() < deadline) {
    last = await effects(db, shops);
    for (const [name, n] of Object.entries(last))
      if (n >= expected && !doneAt.has(name)) doneAt.set(name, Date.now());
    onSample(await totalLag(kafka, running), last);
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

/** A label as a shop-domain part ("3 replicas" → "3-replicas"). */
const slug = (label: string): string => label.replace(/[^a-z0-9]+/gi, '-').toLowerCase();

/** The BENCH_SHOPS shops a run's orders come from. */
const shopsFor = (label: string): string[] =>
  Array.from({ length: SHOPS }, (_, i) =>
    SHOPS === 1
      ? `bench-${slug(label)}-${RUN}.myshopify.com`
      : `bench-${slug(label)}-${RUN}-${i}.myshopify.com`,
  );

/** BENCH_WARMUP orders, applied by every service (and verified) before a measured run. */
async function warmUp(db: Client, kafka: Kafka, running: Running[], label: string): Promise<void> {
  if (WARMUP <= 0) return;
  const shops = shopsFor(`warm ${label}`);
  const started = Date.now();
  await send(shops, [
    '--count',
    String(WARMUP),
    '--rate',
    '10000',
    '--seed',
    `w-${slug(label)}-${RUN}`,
  ]);
  const counts = await waitAllApplied(db, shops, WARMUP, kafka, running, () => undefined);
  log(
    `[${label}] warm-up: ${WARMUP} orders applied in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  const { lost, doubled } = verify(`${label} warm-up`, counts, WARMUP);
  if (lost.length || doubled.length) throw new Error(`warm-up of ${label} lost or doubled orders`);
}

interface ThroughputResult {
  throughput: number;
  /** Orders/s per service: all orders over the time until that service had applied them all. */
  perService: Map<string, number>;
  peakLag: number;
  lost: [string, number][];
  doubled: [string, number][];
}

/** Step 2: BENCH_ORDERS orders as fast as the simulator sends, until every service applied all. */
async function throughputRun(
  db: Client,
  kafka: Kafka,
  running: Running[],
  baseline: number,
  label: string,
  killReplicaAt: number | null = null,
): Promise<ThroughputResult> {
  await warmUp(db, kafka, running, label);
  const shops = shopsFor(label);
  let peakLag = 0;
  const cpuBefore = running.map(({ child }) => cpuSeconds(child.pid));
  const throttleBefore = running.map(({ limit }) => limit?.throttled() ?? null);
  const machineBefore = machineCpu();
  const started = Date.now();
  const sendExit = send(shops, [
    '--count',
    String(ORDERS),
    '--rate',
    '10000',
    '--concurrency',
    '128',
    '--seed',
    `t-${slug(label)}-${RUN}`,
  ]);
  let sendDoneAt = 0;
  void sendExit.then(() => (sendDoneAt = Date.now()));
  let drainedAt = 0;
  const doneAt = new Map<string, number>();
  // BENCH_KILL_REPLICA_AT: the victim's CPU until its death is added to its replacement's.
  let restart: Promise<void> | null = null;
  const cpuOfKilled = running.map(() => 0);
  const counts = await waitAllApplied(
    db,
    shops,
    ORDERS,
    kafka,
    running,
    (lag, applied) => {
      peakLag = Math.max(peakLag, lag);
      if (sendDoneAt && lag === 0 && !drainedAt) drainedAt = Date.now();
      if (
        killReplicaAt !== null &&
        !restart &&
        (applied['inventory.orders-committed'] ?? 0) >= killReplicaAt * ORDERS
      ) {
        const i = running.reduce((last, r, j) => (r.spec.name === 'inventory' ? j : last), -1);
        const victim = running[i];
        cpuOfKilled[i] = cpuSeconds(victim.child.pid) - cpuBefore[i];
        cpuBefore[i] = 0;
        victim.child.kill('SIGKILL');
        const killedAt = Date.now();
        log(
          `[${label}] SIGKILL inventory#${victim.replica} (:${victim.port}) after ${applied['inventory.orders-committed']} of ${ORDERS} orders committed by inventory; restarting it`,
        );
        restart = (async () => {
          await new Promise((resolve) =>
            victim.child.exitCode !== null || victim.child.signalCode !== null
              ? resolve(null)
              : victim.child.once('exit', resolve),
          );
          victim.limit?.remove();
          running[i] = await startOne(
            victim.spec,
            victim.group,
            victim.replica,
            `${slug(label)}-r`,
          );
          // The replacement's quota is a fresh cgroup: its throttling counts from zero.
          if (running[i].limit)
            throttleBefore[i] = { periods: 0, throttledPeriods: 0, throttledMs: 0 };
          log(
            `[${label}] inventory#${victim.replica} ready again ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill`,
          );
        })();
      }
    },
    doneAt,
  );
  if (restart) await restart;
  const finished = Date.now();
  const cpuUsed = running.map(
    ({ child }, i) => cpuSeconds(child.pid) - cpuBefore[i] + cpuOfKilled[i],
  );
  const machineAfter = machineCpu();
  const exit = await sendExit;
  const seconds = (finished - started) / 1000;
  const throughput = ORDERS / seconds;
  log(
    `[${label}] throughput: ${ORDERS} orders fully processed by every service in ${seconds.toFixed(1)} s = ${throughput.toFixed(0)} orders/s (simulator exit ${exit})`,
  );
  log(
    `[${label}] sending took ${((sendDoneAt - started) / 1000).toFixed(1)} s; peak consumer lag ${peakLag} messages; drained ${drainedAt ? ((drainedAt - sendDoneAt) / 1000).toFixed(1) : '?'} s after the last send`,
  );
  log(`[${label}] ratio to the storage baseline: ${(throughput / baseline).toFixed(2)}`);
  const perServiceRate = new Map(
    [...doneAt].map(([name, at]) => [name.split('.')[0], ORDERS / ((at - started) / 1000)]),
  );
  log(
    `[${label}] each service done: ${[...doneAt]
      .map(
        ([name, at]) =>
          `${name.split('.')[0]} ${((at - started) / 1000).toFixed(1)} s (${(ORDERS / ((at - started) / 1000)).toFixed(0)}/s)`,
      )
      .join(', ')}`,
  );
  // Where the time went: CPU per order in each service (its replicas summed). On a saturated
  // machine the sum bounds throughput at (cores × 1000 / total ms per order) whatever the
  // pipeline's shape — and however many replicas share those cores.
  const perService = new Map<string, { ms: number; n: number }>();
  running.forEach(({ spec }, i) => {
    const entry = perService.get(spec.name) ?? { ms: 0, n: 0 };
    entry.ms += (cpuUsed[i] * 1000) / ORDERS;
    entry.n += 1;
    perService.set(spec.name, entry);
  });
  const perOrder = [...perService].map(([name, { ms, n }]) => ({
    name: n > 1 ? `${name}×${n}` : name,
    ms,
  }));
  const machineBusy = machineAfter.busy - machineBefore.busy;
  const cores = (machineAfter.total - machineBefore.total) / seconds;
  log(
    `[${label}] cpu per order: ${perOrder.map((p) => `${p.name} ${p.ms.toFixed(2)} ms`).join(', ')}; ` +
      `services ${perOrder.reduce((sum, p) => sum + p.ms, 0).toFixed(1)} ms, whole machine ` +
      `${((machineBusy * 1000) / ORDERS).toFixed(1)} ms (broker, Postgres and anything else ` +
      `running included); machine busy ${((100 * machineBusy) / (machineAfter.total - machineBefore.total)).toFixed(0)} % of ${cores.toFixed(0)} cores`,
  );
  // Whether the limits were what bound the run: the share of CFS periods in which each limited
  // process used up its quota (near 100 % = it wanted more CPU than its limit gave).
  const limited = running.flatMap(({ spec, replica, limit }, i) => {
    const before = throttleBefore[i];
    if (!limit || !before) return [];
    const after = limit.throttled();
    const periods = after.periods - before.periods;
    const share = periods ? (after.throttledPeriods - before.throttledPeriods) / periods : 0;
    return [`${spec.name}#${replica} ${(100 * share).toFixed(0)} %`];
  });
  if (limited.length)
    log(
      `[${label}] CPU limit ${CPU_LIMIT} core per ${[...SCALED].join('/')} process; periods throttled: ${limited.join(', ')}`,
    );
  const checked = verify(label, counts, ORDERS);
  const books = await inventoryBooks(db, shops);
  log(
    `[${label}] inventory's books: ${books.skus} SKU totals, ${books.wrong.length} not equal to what the held orders reserve${books.wrong.length ? ` (${books.wrong.slice(0, 5).join('; ')})` : ''}`,
  );
  if (books.wrong.length) checked.doubled.push(['inventory.sku-commitments', books.wrong.length]);
  return { throughput, perService: perServiceRate, peakLag, ...checked };
}

/**
 * Inventory's SKU totals against its order states: per shop and SKU, `sku_commitments.committed`
 * must equal the quantities reserved by the orders it holds (accepted, not cancelled). Returns
 * the SKUs that differ.
 */
async function inventoryBooks(
  db: Client,
  shops: string[],
): Promise<{ skus: number; wrong: string[] }> {
  const { rows } = await db.query<{ sku: string; committed: number; reserved: number }>(
    `WITH reserved AS (
       SELECT o.shop_domain, l->>'sku' AS sku, sum((l->>'quantity')::int) AS reserved
       FROM inventory.order_commitments o, jsonb_array_elements(o.reserved_lines) l
       WHERE o.shop_domain = ANY($1) AND l->>'sku' IS NOT NULL
       GROUP BY 1, 2)
     SELECT coalesce(c.shop_domain, r.shop_domain) || '/' || coalesce(c.sku, r.sku) AS sku,
            coalesce(c.committed, 0) AS committed, coalesce(r.reserved, 0)::int AS reserved
     FROM (SELECT * FROM inventory.sku_commitments WHERE shop_domain = ANY($1)) c
     FULL JOIN reserved r ON r.shop_domain = c.shop_domain AND r.sku = c.sku`,
    [shops],
  );
  return {
    skus: rows.length,
    wrong: rows
      .filter((row) => row.committed !== row.reserved)
      .map((row) => `${row.sku}: ${row.committed} ≠ ${row.reserved}`),
  };
}

/** Each service's effects against what was sent; prints and returns the shortfalls and excess. */
function verify(
  label: string,
  counts: Record<string, number>,
  expected: number,
): { lost: [string, number][]; doubled: [string, number][] } {
  const lost = Object.entries(counts).filter(([, n]) => n < expected);
  const doubled = Object.entries(counts).filter(([, n]) => n > expected);
  log(
    `[${label}] verification: ${Object.entries(counts)
      .map(([k, n]) => `${k}=${n}`)
      .join(
        ' ',
      )} → lost=${lost.length ? lost.map(([k, n]) => `${k}:${expected - n}`).join(',') : 0} doubled=${doubled.length ? doubled.map(([k, n]) => `${k}:${n - expected}`).join(',') : 0}`,
  );
  return { lost, doubled };
}

/**
 * Step 2c: BENCH_ORDERS orders into the scaled topology; once a third are applied by the order
 * service, SIGKILL the last order replica and the last inventory replica (no shutdown hook, no
 * offset commit, transactions cut mid-flight). Their partitions go to the survivors after the
 * group notices (the session timeout), which redo whatever was not committed: the inbox makes
 * the redo change nothing, so the counts must end exactly at BENCH_ORDERS.
 */
async function killRun(
  db: Client,
  kafka: Kafka,
  running: Running[],
): Promise<{ lost: [string, number][]; doubled: [string, number][]; killedAfterMs: number }> {
  const label = 'kill';
  const shops = shopsFor(label);
  const victims = ['order', 'inventory'].map((name) =>
    running.filter((r) => r.spec.name === name).reduce((a, b) => (b.replica > a.replica ? b : a)),
  );
  const started = Date.now();
  const sendExit = send(shops, [
    '--count',
    String(ORDERS),
    '--rate',
    '10000',
    '--concurrency',
    '128',
    '--seed',
    `k-${RUN}`,
  ]);
  let killedAt = 0;
  const deadline = Date.now() + 300_000;
  while (!killedAt && Date.now() < deadline) {
    const applied = (await effects(db, shops))['order.orders'] ?? 0;
    if (applied >= ORDERS / 3) {
      for (const victim of victims) victim.child.kill('SIGKILL');
      killedAt = Date.now();
      log(
        `[${label}] SIGKILL ${victims.map((v) => `${v.spec.name}#${v.replica} (:${v.port})`).join(' and ')} after ${applied} of ${ORDERS} orders applied`,
      );
    } else await new Promise((r) => setTimeout(r, 100));
  }
  if (!killedAt) throw new Error('kill test: a third of the orders were never applied');
  const counts = await waitAllApplied(db, shops, ORDERS, kafka, running, () => undefined);
  const exit = await sendExit;
  const seconds = (Date.now() - started) / 1000;
  log(
    `[${label}] all ${ORDERS} orders applied by every service ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill, ${seconds.toFixed(1)} s in all (simulator exit ${exit})`,
  );
  return { ...verify(label, counts, ORDERS), killedAfterMs: Date.now() - killedAt };
}

async function main(): Promise<void> {
  spawnSync('node', [join(ROOT, 'scripts/build.mjs')], { stdio: 'ignore' });
  spawnSync(process.execPath, [join(ROOT, 'dist/scripts/provision.js')], { stdio: 'ignore' });
  spawnSync(process.execPath, [join(ROOT, 'scripts/migrate.mjs')], { stdio: 'ignore' });
  const db = new Client({ connectionString: DATABASE_URL });
  await db.connect();
  const kafka = new Kafka({
    clientId: 'bench-pipeline',
    // TLS/SASL from the same variables the services read (they inherit this environment).
    ...kafkaConnection(loadConfig(z.object(kafkaEnv))),
    logLevel: logLevel.NOTHING,
  });

  log(`bench:pipeline — services: ${PIPELINE_SERVICES.map((s) => s.name).join(', ')}`);
  log(`services' logs: ${LOG_DIR}`);
  if (SHOPS > 1) log(`orders of each measured run spread over ${SHOPS} shops`);
  // Fails here, before any service starts, when cgroups cannot be written.
  if (CPU_LIMIT) cpuLimit(`${RUN}-probe`, CPU_LIMIT).remove();
  if (CPU_LIMIT)
    log(
      `CPU limit: each ${[...SCALED].join(' and ')} process gets ${CPU_LIMIT} core (cgroup quota, like a pod's limits.cpu)`,
    );
  const baseline = await baselineInsertRate(db, ORDERS);
  log(
    `baseline: one process inserting ${ORDERS} orders (with line items) in batches: ${baseline.toFixed(0)} orders/s`,
  );

  let running = await startServices(kafka);
  const failures = { lost: 0, doubled: 0 };
  try {
    const single = await throughputRun(
      db,
      kafka,
      running,
      baseline,
      REPLICAS > 1 ? '1 replica' : 'all',
    );
    failures.lost += single.lost.length;
    failures.doubled += single.doubled.length;
    let scaled: ThroughputResult | null = null;
    let kill: Awaited<ReturnType<typeof killRun>> | null = null;
    if (REPLICAS > 1) {
      await stopServices(running);
      running = await startServices(kafka, REPLICAS, 'p2');
      lb('up', running);
      lbStarted = true;
      gatewayUrl = `http://127.0.0.1:${LB_PORT}/webhooks/shopify`;
      log(
        `scaled: ${running.map((r) => `${r.spec.name}:${r.port}`).join(' ')}; simulator → nginx :${LB_PORT} → gateways`,
      );
      scaled = await throughputRun(
        db,
        kafka,
        running,
        baseline,
        `${REPLICAS} replicas`,
        KILL_REPLICA_AT,
      );
      failures.lost += scaled.lost.length;
      failures.doubled += scaled.doubled.length;
      log(
        `scale-out: ${REPLICAS} replicas / 1 replica = ${scaled.throughput.toFixed(0)} / ${single.throughput.toFixed(0)} orders/s = ${(scaled.throughput / single.throughput).toFixed(2)}`,
      );
      for (const name of SCALED) {
        const one = single.perService.get(name);
        const many = scaled.perService.get(name);
        if (one && many)
          log(
            `scale-out of ${name} (its own time to apply every order): ${many.toFixed(0)} / ${one.toFixed(0)} orders/s = ${(many / one).toFixed(2)}`,
          );
      }
      if (KILL_REPLICA_AT === null) {
        kill = await killRun(db, kafka, running);
        failures.lost += kill.lost.length;
        failures.doubled += kill.doubled.length;
      }
    }

    // Latency at a fixed offered rate (on the scaled topology in replicas mode).
    let latencyRow: { p50: number; p99: number; n: string } | null = null;
    if (LATENCY_SECONDS > 0) {
      const latencyShop = `bench-lat-${RUN}.myshopify.com`;
      const total = RATE * LATENCY_SECONDS;
      await send(
        [latencyShop],
        ['--count', String(total), '--rate', String(RATE), '--seed', `l-${RUN}`],
      );
      await waitAllApplied(db, [latencyShop], total, kafka, running, () => undefined);
      const latency = await db.query<{ p50: number; p99: number; n: string }>(
        `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50, percentile_cont(0.99) WITHIN GROUP (ORDER BY ms) AS p99, count(*) AS n
           FROM (SELECT extract(epoch FROM applied_at - received_at) * 1000 AS ms FROM orders.orders WHERE shop_domain = $1) t`,
        [latencyShop],
      );
      latencyRow = latency.rows[0];
      log(
        `latency at ${RATE} orders/s for ${LATENCY_SECONDS}s: webhook-to-order-row p50 ${Number(latencyRow.p50).toFixed(0)} ms, p99 ${Number(latencyRow.p99).toFixed(0)} ms over ${latencyRow.n} orders`,
      );
    }
    log(
      JSON.stringify({
        orders: ORDERS,
        shops: SHOPS,
        throughput: Math.round(single.throughput),
        baseline: Math.round(baseline),
        ratio: Number((single.throughput / baseline).toFixed(3)),
        peakLag: single.peakLag,
        p50Ms: latencyRow ? Math.round(Number(latencyRow.p50)) : null,
        p99Ms: latencyRow ? Math.round(Number(latencyRow.p99)) : null,
        ...(scaled
          ? {
              replicas: REPLICAS,
              scaled: [...SCALED],
              cpuLimitPerReplica: CPU_LIMIT,
              scaledThroughput: Math.round(scaled.throughput),
              scaleOutRatio: Number((scaled.throughput / single.throughput).toFixed(3)),
              inventoryScaleOutRatio: Number(
                (
                  (scaled.perService.get('inventory') ?? 0) /
                  (single.perService.get('inventory') ?? 1)
                ).toFixed(3),
              ),
              killReplicaAt: KILL_REPLICA_AT,
              killRecoveredMs: kill?.killedAfterMs ?? null,
            }
          : {}),
        lost: failures.lost,
        doubled: failures.doubled,
      }),
    );
    if (failures.lost || failures.doubled) process.exitCode = 1;
  } finally {
    if (lbStarted) {
      lb('down');
      lbStarted = false;
    }
    await stopServices(running);
    await db.end();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:pipeline failed: ${String(error)}\n`);
  process.exit(1);
});
