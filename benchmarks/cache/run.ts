// npm run bench:cache — the catalog cache in steady state, against its origin.
//
//   1. Origin alone: BENCH_CONCURRENCY readers asking the origin directly (a Postgres round trip
//      that builds each product document, plus BENCH_ORIGIN_LATENCY_MS standing in for the Admin
//      API's network time). Its latency is printed beside the cache's.
//   2. Warm-up: every product read once through the cache.
//   3. Steady state for BENCH_SECONDS at BENCH_RATE reads/s (open loop), product ids drawn from a
//      Zipf-like distribution (a few products are hot, as in a real catalog), while "webhooks"
//      purge BENCH_PURGES_PER_SECOND products drawn the same way. Hit ratio and read latency
//      (p50/p99) are measured over this phase only. Targets: hit ratio ≥ 0.99, p99 ≤ 5 ms.
//   4. Throughput: BENCH_CONCURRENCY readers flat out through the cache for BENCH_ORIGIN_SECONDS.
//
// Needs Redis and Postgres (`npm run infra -- up`). Keys live under a prefix of the run's own and
// are deleted at the end.
import { randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import Redis from 'ioredis';
import { Pool } from 'pg';
import { Registry } from 'prom-client';
import {
  CacheAside,
  CacheMetrics,
  CacheStore,
  createCacheRedis,
  type CacheOrigin,
} from '@shopwire/cache';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const PRODUCTS = Number(process.env.BENCH_PRODUCTS ?? 10_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const ORIGIN_SECONDS = Number(process.env.BENCH_ORIGIN_SECONDS ?? 5);
const ORIGIN_LATENCY_MS = Number(process.env.BENCH_ORIGIN_LATENCY_MS ?? 20);
const PURGES_PER_SECOND = Number(process.env.BENCH_PURGES_PER_SECOND ?? 5);
const RATE = Number(process.env.BENCH_RATE ?? 2000);
const RUN = randomUUID().slice(0, 8);
const PREFIX = `shopwire-bench:${RUN}:cache`;
const SHOP = `bench-${RUN}.myshopify.com`;
const FIRST_ID = 8_209_829_119_461_545_08n; // ids above 2^53, as Shopify's are

const log = (line: string) => process.stdout.write(`${line}\n`);
const productId = (i: number) => (FIRST_ID + BigInt(i)).toString();

/** Postgres builds the document (ids as text), then the stand-in for the network time. */
class BenchOrigin implements CacheOrigin {
  readonly latencies: number[] = [];
  constructor(private readonly pool: Pool) {}

  async load(_shop: string, ids: string[]): Promise<Map<string, string | null>> {
    const started = performance.now();
    const { rows } = await this.pool.query<{ id: string; doc: string }>(
      `SELECT id::text AS id,
              json_build_object('id', id::text, 'title', 'Product ' || id::text, 'status', 'active',
                'variants', json_build_array(json_build_object('id', (id * 10)::text, 'price', '12.00')))::text AS doc
         FROM unnest($1::numeric[]) AS id`,
      [ids],
    );
    if (ORIGIN_LATENCY_MS > 0) await new Promise((r) => setTimeout(r, ORIGIN_LATENCY_MS));
    this.latencies.push(performance.now() - started);
    return new Map(rows.map((r) => [r.id, r.doc]));
  }
}

/** Zipf-like (s ≈ 1) ranks via the inverse CDF of a continuous approximation. */
function zipfIndex(n: number): number {
  const u = Math.random();
  return Math.min(n - 1, Math.floor(Math.exp(u * Math.log(n + 1)) - 1));
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

const ms = (value: number) => `${value.toFixed(2)} ms`;

async function readers(seconds: number, read: (id: string) => Promise<unknown>): Promise<number[]> {
  const latencies: number[] = [];
  const until = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < until) {
        const id = productId(zipfIndex(PRODUCTS));
        const started = performance.now();
        await read(id);
        latencies.push(performance.now() - started);
      }
    }),
  );
  return latencies.sort((a, b) => a - b);
}

/**
 * Open loop at `rate` reads/s (issued every 5 ms whatever the answers do), so the latency is the
 * cache's and not the queue a saturating closed loop builds in one process. Each latency is
 * measured from when the read was issued (reads due in one 5 ms tick are issued together).
 */
async function atRate(
  seconds: number,
  rate: number,
  read: (id: string) => Promise<{ source: string }>,
  hitLatencies: number[] = [],
): Promise<number[]> {
  const latencies: number[] = [];
  const pending: Promise<void>[] = [];
  const started = performance.now();
  let issued = 0;
  while (performance.now() - started < seconds * 1000) {
    const due = Math.floor(((performance.now() - started) / 1000) * rate);
    for (; issued < due; issued++) {
      const id = productId(zipfIndex(PRODUCTS));
      const at = performance.now();
      pending.push(
        read(id).then((answer) => {
          const took = performance.now() - at;
          latencies.push(took);
          if (answer.source === 'cache') hitLatencies.push(took);
        }),
      );
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  await Promise.all(pending);
  hitLatencies.sort((a, b) => a - b);
  return latencies.sort((a, b) => a - b);
}

async function counter(registry: Registry, name: string): Promise<number> {
  const metric = await registry.getSingleMetric(name)?.get();
  return (metric?.values ?? []).reduce((sum, v) => sum + v.value, 0);
}

async function main(): Promise<void> {
  const pool = new Pool({ connectionString: DATABASE_URL, max: CONCURRENCY });
  const registry = new Registry();
  const metrics = CacheMetrics.for(registry);
  const redis = createCacheRedis({ url: REDIS_URL, commandTimeoutMs: 200 });
  const store = new CacheStore({ redis, metrics, registry });
  const origin = new BenchOrigin(pool);
  const cache = new CacheAside({
    namespace: 'products',
    origin,
    store,
    metrics,
    prefix: PREFIX,
    lock: { ttlMs: 5000, waitMs: 1000, pollMs: 5 },
  });
  while (redis.status !== 'ready') await new Promise((r) => setTimeout(r, 20));
  // The machine may be shared: tail latency below is only as good as the CPU it got.
  log(`machine:       ${cpus().length} CPUs, load average ${loadavg()[0].toFixed(2)}`);
  log(
    `bench:cache — ${PRODUCTS} products, ${CONCURRENCY} readers, origin = Postgres + ${ORIGIN_LATENCY_MS} ms, ${PURGES_PER_SECOND} purges/s`,
  );

  // 1. The origin alone.
  const direct = await readers(ORIGIN_SECONDS, (id) => origin.load(SHOP, [id]));
  log(
    `origin only:   ${(direct.length / ORIGIN_SECONDS).toFixed(0)} reads/s, p50 ${ms(percentile(direct, 0.5))}, p99 ${ms(percentile(direct, 0.99))}`,
  );
  origin.latencies.length = 0;

  // 2. Warm-up: every product once, in batches (getMany: one MGET + one origin call each).
  const warmStarted = performance.now();
  for (let i = 0; i < PRODUCTS; i += 100) {
    const ids = Array.from({ length: Math.min(100, PRODUCTS - i) }, (_, k) => productId(i + k));
    await cache.getMany(SHOP, ids);
  }
  log(`warm-up:       ${PRODUCTS} products in ${ms(performance.now() - warmStarted)}`);

  // The floor: the same rate of bare MGETs (value + generation) on the same client, no cache code.
  const floor = await atRate(Math.min(SECONDS, 5), RATE, async (id) => {
    await redis.mget(`${PREFIX}:products:${SHOP}:${id}`, `${PREFIX}:products:${SHOP}:${id}#gen`);
    return { source: 'redis' };
  });
  log(
    `bare MGET at ${RATE}/s: p50 ${ms(percentile(floor, 0.5))}, p99 ${ms(percentile(floor, 0.99))} (Redis + event loop floor on this machine)`,
  );

  // 3. Steady state with purges.
  const hits0 = await counter(registry, 'shopwire_cache_hits_total');
  const misses0 = await counter(registry, 'shopwire_cache_misses_total');
  const originCalls0 = origin.latencies.length;
  let purges = 0;
  const purger = setInterval(
    () => {
      purges++;
      cache.purge(SHOP, [productId(zipfIndex(PRODUCTS))]).catch(() => undefined);
    },
    Math.max(1, Math.round(1000 / PURGES_PER_SECOND)),
  );
  const hitLatencies: number[] = [];
  const cached = await atRate(SECONDS, RATE, (id) => cache.get(SHOP, id), hitLatencies);
  clearInterval(purger);
  const hits = (await counter(registry, 'shopwire_cache_hits_total')) - hits0;
  const misses = (await counter(registry, 'shopwire_cache_misses_total')) - misses0;
  const originDuring = origin.latencies.slice(originCalls0).sort((a, b) => a - b);
  const ratio = hits / (hits + misses);
  const p99 = percentile(cached, 0.99);
  log(
    `through cache at ${RATE} reads/s for ${SECONDS} s: p50 ${ms(percentile(cached, 0.5))}, p99 ${ms(p99)}, p99.9 ${ms(percentile(cached, 0.999))}, max ${ms(cached[cached.length - 1])}`,
  );
  log(
    `  hits only:   p50 ${ms(percentile(hitLatencies, 0.5))}, p99 ${ms(percentile(hitLatencies, 0.99))}`,
  );
  log(
    `hit ratio:     ${ratio.toFixed(4)} (${hits} hits, ${misses} misses; ${purges} purges; ${originDuring.length} origin calls, p50 ${ms(percentile(originDuring, 0.5))}, p99 ${ms(percentile(originDuring, 0.99))})`,
  );
  const saturated = await readers(ORIGIN_SECONDS, (id) => cache.get(SHOP, id));
  log(
    `through cache, ${CONCURRENCY} readers flat out: ${(saturated.length / ORIGIN_SECONDS).toFixed(0)} reads/s (p99 ${ms(percentile(saturated, 0.99))}, queueing in one process included)`,
  );
  log(
    `targets:       hit ratio ≥ 0.99 ${ratio >= 0.99 ? 'MET' : 'MISSED'}; p99 ≤ 5 ms ${p99 <= 5 ? 'MET' : 'MISSED'}`,
  );

  // Clean up this run's keys.
  const cleaner = new Redis(REDIS_URL);
  let cursor = '0';
  do {
    const [next, keys] = await cleaner.scan(cursor, 'MATCH', `${PREFIX}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await cleaner.del(...keys);
  } while (cursor !== '0');
  await cleaner.quit();
  store.shutdown();
  await redis.quit();
  await pool.end();
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:cache failed: ${String(error)}\n`);
  process.exit(1);
});
