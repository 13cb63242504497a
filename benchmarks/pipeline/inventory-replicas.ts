// node dist/benchmarks/pipeline/inventory-replicas.js — inventory alone, one shop, 1 vs N
// replicas, each process under its own CPU quota (cgroup, like a pod's limits.cpu).
//
// `bench:pipeline` measures inventory behind the whole pipeline (and its verification counts
// every service's effects on topics other engineers' services also read); this one isolates the
// question "does one shop's inventory spread over replicas": for each replica count it starts the
// inventory processes (one consumer group, CPU-limited once ready), then writes BENCH_ORDERS
// order events of ONE shop at once (accepted, and cancelled for every tenth order, lines over a
// catalog of BENCH_SKUS SKUs with a level each, as the simulator's orders are), and times until
// inventory holds every order's state. BENCH_KILL_REPLICA_AT=F SIGKILLs the last replica of the
// N-replica run once a fraction F of the orders is applied and starts it again. Then checks,
// per run: every order applied once, and every SKU's committed quantity equal to what the orders
// not cancelled reserve (lost = doubled = 0).
//
// BENCH_ORDERS (3000), BENCH_REPLICAS (3), BENCH_CPU_LIMIT (0.05 core), BENCH_SKUS (60),
// BENCH_KILL_REPLICA_AT (unset), BENCH_SESSION_TIMEOUT_MS (10000: the group drops a killed
// member after it), BENCH_PORT (3402; replica i on +10·i). Needs the build, provisioned topics
// and migrated schemas (as `npm run bench:pipeline` leaves them).
import { kafkaConnection, kafkaEnv, loadConfig, z } from '@shopwire/config';
import { messageKey } from '@shopwire/contracts';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'pg';
import { cpuLimit, type CpuLimit } from './cpu-limit';

const ROOT = join(__dirname, '../../..');
const ORDERS = Number(process.env.BENCH_ORDERS ?? 3000);
const REPLICAS = Number(process.env.BENCH_REPLICAS ?? 3);
const CPU = Number(process.env.BENCH_CPU_LIMIT ?? 0.05);
const SKUS = Number(process.env.BENCH_SKUS ?? 60);
const KILL_AT = process.env.BENCH_KILL_REPLICA_AT
  ? Number(process.env.BENCH_KILL_REPLICA_AT)
  : null;
const SESSION_TIMEOUT_MS = process.env.BENCH_SESSION_TIMEOUT_MS ?? '10000';
const PORT = Number(process.env.BENCH_PORT ?? 3402);
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const RUN = randomUUID().slice(0, 8);
const TOPICS = ['orders.order.accepted.v1', 'orders.order.cancelled.v1'] as const;
const log = (line: string) => process.stdout.write(`${line}\n`);

interface Replica {
  child: ChildProcess;
  limit: CpuLimit;
  index: number;
}

const children = new Set<ChildProcess>();
process.once('SIGINT', () => {
  for (const child of children) child.kill('SIGTERM');
  process.exit(130);
});

async function startReplica(group: string, index: number, phase: string): Promise<Replica> {
  const port = PORT + 10 * index;
  const child = spawn(process.execPath, [join(ROOT, 'dist/apps/inventory/src/main.js')], {
    env: {
      ...(process.env as Record<string, string>),
      PORT: String(port),
      LOG_LEVEL: 'warn',
      API_TOKENS: 'bench:bench-inventory-token-0123456789',
      INVENTORY_CONSUMER_GROUP: group,
      KAFKA_SESSION_TIMEOUT_MS: SESSION_TIMEOUT_MS,
      KAFKAJS_NO_PARTITIONER_WARNING: '1',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.add(child);
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`inventory#${index} exited`);
    if (Date.now() > deadline) throw new Error(`inventory#${index} not ready`);
    const ready = await fetch(`http://127.0.0.1:${port}/health/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const limit = cpuLimit(`${RUN}-${phase}-inventory-${index}`, CPU);
  if (child.pid) limit.attach(child.pid);
  return { child, limit, index };
}

async function stop(replicas: Replica[]): Promise<void> {
  await Promise.all(
    replicas.map(
      ({ child }) =>
        new Promise((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve(null);
          child.once('exit', resolve);
          child.kill('SIGTERM');
        }),
    ),
  );
  for (const { limit } of replicas) limit.remove();
}

/** Orders of one shop: lines over the catalog; every tenth order also cancelled. */
function orderEvents(shop: string) {
  let seed = 12345;
  const next = () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32;
  const expected = new Map<string, number>();
  const messages: { topic: (typeof TOPICS)[number]; key: string; value: string }[] = [];
  for (let n = 0; n < ORDERS; n++) {
    const orderId = String(5_000_000_000n + BigInt(n));
    const lines = Array.from({ length: 1 + Math.floor(next() * 4) }, (_, i) => ({
      id: String(6_000_000_000n + BigInt(n * 4 + i)),
      productId: '632910392',
      variantId: String(7_000_000_000n + BigInt(n * 4 + i)),
      sku: `SKU-${Math.floor(next() * SKUS)}`,
      title: 'Item',
      quantity: 1 + Math.floor(next() * 2),
      price: '5.00',
    }));
    const cancelled = n % 10 === 9;
    if (!cancelled)
      for (const line of lines)
        expected.set(line.sku, (expected.get(line.sku) ?? 0) + line.quantity);
    for (const kind of cancelled ? (['accepted', 'cancelled'] as const) : (['accepted'] as const)) {
      const at = kind === 'accepted' ? '2026-12-06T03:00:00Z' : '2026-12-06T03:05:00Z';
      messages.push({
        topic: `orders.order.${kind}.v1`,
        key: messageKey(shop, orderId),
        value: JSON.stringify({
          eventId: randomUUID(),
          type: `orders.order.${kind}`,
          schemaVersion: 1,
          occurredAt: new Date().toISOString(),
          shopDomain: shop,
          aggregateId: orderId,
          aggregateVersion: at,
          causationId: null,
          data: {
            order: {
              id: orderId,
              name: `#${n}`,
              orderNumber: String(n),
              email: null,
              customer: null,
              currency: 'USD',
              financialStatus: 'paid',
              fulfillmentStatus: null,
              totalPrice: '10.00',
              subtotalPrice: '10.00',
              totalTax: '0.00',
              totalDiscounts: '0.00',
              createdAt: '2026-12-06T03:00:00Z',
              updatedAt: at,
              cancelledAt: kind === 'cancelled' ? at : null,
              cancelReason: kind === 'cancelled' ? 'customer' : null,
              test: false,
              lineItems: lines,
            },
          },
        }),
      });
    }
  }
  return { messages, expected };
}

async function produce(producer: Producer, messages: ReturnType<typeof orderEvents>['messages']) {
  for (let i = 0; i < messages.length; i += 500) {
    const part = messages.slice(i, i + 500);
    await producer.sendBatch({
      acks: -1,
      topicMessages: TOPICS.map((topic) => ({
        topic,
        messages: part.filter((m) => m.topic === topic).map(({ key, value }) => ({ key, value })),
      })),
    });
  }
}

async function applied(db: Client, shop: string): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    'SELECT count(*) AS n FROM inventory.order_commitments WHERE shop_domain = $1',
    [shop],
  );
  return Number(rows[0].n);
}

async function run(
  db: Client,
  kafka: Kafka,
  producer: Producer,
  replicas: number,
  killAt: number | null,
): Promise<{ rate: number; ok: boolean }> {
  const label = `${replicas} replica${replicas > 1 ? 's' : ''}`;
  const shop = `bench-inv-${replicas}-${RUN}.myshopify.com`;
  const group = `inventory-bench-${RUN}-${replicas}`;
  const admin = kafka.admin();
  await admin.connect();
  for (const topic of TOPICS) {
    const offsets = await admin.fetchTopicOffsets(topic);
    await admin.setOffsets({
      groupId: group,
      topic,
      partitions: offsets.map((o) => ({ partition: o.partition, offset: o.high })),
    });
  }
  await admin.disconnect();
  // The catalog: one item and one level per SKU, so each order's SKUs have levels to evaluate.
  await db.query(
    `INSERT INTO inventory.items (shop_domain, inventory_item_id, sku, updated_at)
     SELECT $1, 8000000000 + n, 'SKU-' || n, now() FROM generate_series(0, $2 - 1) n`,
    [shop, SKUS],
  );
  await db.query(
    `INSERT INTO inventory.levels (shop_domain, inventory_item_id, location_id, available, updated_at, last_webhook_id)
     SELECT $1, 8000000000 + n, 1, 400, now(), 'bench' FROM generate_series(0, $2 - 1) n`,
    [shop, SKUS],
  );
  const running: Replica[] = [];
  for (let i = 0; i < replicas; i++) running.push(await startReplica(group, i, `r${replicas}`));
  await new Promise((r) => setTimeout(r, 3000)); // the group's last rebalance settles
  const { messages, expected } = orderEvents(shop);
  const started = Date.now();
  await produce(producer, messages);
  let killed = false;
  let restart: Promise<void> | null = null;
  const deadline = Date.now() + 600_000;
  let n = 0;
  while ((n = await applied(db, shop)) < ORDERS && Date.now() < deadline) {
    if (killAt !== null && !killed && n >= killAt * ORDERS) {
      killed = true;
      const victim = running[running.length - 1];
      victim.child.kill('SIGKILL');
      const killedAt = Date.now();
      log(
        `[${label}] SIGKILL inventory#${victim.index} after ${n} of ${ORDERS} orders; restarting it`,
      );
      restart = (async () => {
        await new Promise((r) =>
          victim.child.exitCode !== null || victim.child.signalCode !== null
            ? r(null)
            : victim.child.once('exit', r),
        );
        victim.limit.remove();
        running[running.length - 1] = await startReplica(group, victim.index, `r${replicas}k`);
        log(
          `[${label}] inventory#${victim.index} ready again ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill`,
        );
      })();
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const seconds = (Date.now() - started) / 1000;
  if (restart) await restart;
  // Cancellations may land after their order's acceptance: wait until every SKU total settles.
  let wrong: string[] = [];
  for (let i = 0; i < 50; i++) {
    const { rows } = await db.query<{ sku: string; committed: number }>(
      'SELECT sku, committed FROM inventory.sku_commitments WHERE shop_domain = $1',
      [shop],
    );
    const got = new Map(rows.map((row) => [row.sku, row.committed]));
    wrong = [...new Set([...expected.keys(), ...got.keys()])].filter(
      (sku) => (got.get(sku) ?? 0) !== (expected.get(sku) ?? 0),
    );
    if (wrong.length === 0) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const throttled = running.map(({ limit, index }) => {
    const t = limit.throttled();
    return `#${index} ${t.periods ? ((100 * t.throttledPeriods) / t.periods).toFixed(0) : '?'} %`;
  });
  await stop(running);
  const rate = n / seconds;
  log(
    `[${label}] ${n} of ${ORDERS} orders of one shop applied in ${seconds.toFixed(1)} s = ${rate.toFixed(1)} orders/s; ` +
      `CFS periods throttled: ${throttled.join(', ')}; SKU totals wrong: ${wrong.length}${wrong.length ? ` (${wrong.slice(0, 3).join(', ')})` : ''}`,
  );
  return { rate, ok: n === ORDERS && wrong.length === 0 };
}

async function main(): Promise<void> {
  const db = new Client({ connectionString: DATABASE_URL });
  await db.connect();
  const kafka = new Kafka({
    clientId: 'bench-inventory-replicas',
    ...kafkaConnection(loadConfig(z.object(kafkaEnv))),
    logLevel: logLevel.NOTHING,
  });
  const producer = kafka.producer({ idempotent: true, allowAutoTopicCreation: false });
  await producer.connect();
  log(
    `inventory replicas: ${ORDERS} orders of one shop over ${SKUS} SKUs, ${CPU} core per process`,
  );
  try {
    const one = await run(db, kafka, producer, 1, null);
    const many = await run(db, kafka, producer, REPLICAS, KILL_AT);
    log(
      `scale-out of one shop's inventory: ${many.rate.toFixed(1)} / ${one.rate.toFixed(1)} orders/s = ${(many.rate / one.rate).toFixed(2)}; lost/doubled: ${one.ok && many.ok ? '0 / 0' : 'FOUND'}`,
    );
    if (!one.ok || !many.ok) process.exitCode = 1;
  } finally {
    await producer.disconnect();
    await db.end();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`inventory-replicas failed: ${String(error)}\n`);
  for (const child of children) child.kill('SIGTERM');
  process.exit(1);
});
