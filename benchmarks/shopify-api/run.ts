// npm run bench:shopify-api — exporting a shop's catalog from the simulated Admin API on the
// Standard plan (100 points/s, 2,000-point bucket), three ways, then with three replicas:
//
//   (a) naive    paginated GraphQL; waits only after an error (THROTTLED), backoff + jitter
//   (b) client   paginated through ShopifyAdminClient and its shared Redis budget
//   (c) bulk     one bulk operation, JSONL streamed
//
// Each run gets a fresh shop (full buckets, zeroed stats) and its replicas run as separate
// processes (benchmarks/shopify-api/replica.ts). Reported per run: wall time, calls and THROTTLED
// replies as the simulator counted them, points charged, and budget utilisation:
//   utilisation = points charged ÷ (restore rate × wall time + the bucket it started with),
// i.e. the share of everything Shopify would have granted over the run. Points per second over
// the restore rate alone (which the full starting bucket pushes above 1 on short runs) is shown
// too.
//
// Env: BENCH_PRODUCTS (default 1000, 5 variants each), BENCH_REPLICAS (default 3),
// BENCH_MODES (default naive,client,bulk), REDIS_URL. Needs Redis; starts its own simulator.
import { startSimulatorProcess, type SimulatorProcess } from '@shopwire/testing';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { ReplicaResult } from './replica';

const PRODUCTS = Number(process.env.BENCH_PRODUCTS ?? 1000);
const REPLICAS = Number(process.env.BENCH_REPLICAS ?? 3);
const MODES = (process.env.BENCH_MODES ?? 'naive,client,bulk').split(',');
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const RESTORE_RATE = 100;
const BUCKET = 2000;

interface SimStats {
  graphql: { requests: number; throttled: number; pointsUsed: number; pointsRefunded: number };
  bulk: { started: number };
}

interface RunRow {
  mode: string;
  replicas: number;
  wallS: number;
  products: number;
  calls: number;
  throttled: number;
  points: number;
  utilisation: number;
  pointsPerSecondOverRestore: number;
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

function runReplica(env: Record<string, string>): Promise<ReplicaResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(__dirname, 'replica.js')], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`replica ${env.MODE} exited with ${code}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').pop()!) as ReplicaResult);
      } catch (error) {
        reject(error as Error);
      }
    });
  });
}

async function run(sim: SimulatorProcess, mode: string, replicas: number): Promise<RunRow> {
  const shop = `bench-${mode}-${replicas}-${randomUUID().slice(0, 6)}.myshopify.com`;
  const setup = await sim.call('PUT', `/sim/admin/shops/${shop}`, {
    plan: 'standard',
    products: PRODUCTS,
  });
  if (setup.status >= 300) throw new Error(`could not set up ${shop}: ${setup.status}`);
  const env = {
    MODE: mode,
    SHOP: shop,
    SIM_URL: sim.baseUrl,
    REDIS_URL,
    BUDGET_PREFIX: `shopwire-bench:${randomUUID().slice(0, 8)}`,
  };
  const started = Date.now();
  const results = await Promise.all(Array.from({ length: replicas }, () => runReplica(env)));
  const wallS = (Date.now() - started) / 1000;
  const stats = (await sim.call<SimStats>('GET', `/sim/admin/shops/${shop}/stats`)).json;
  for (const r of results)
    if (r.products !== PRODUCTS)
      throw new Error(`${mode}: a replica exported ${r.products} of ${PRODUCTS} products`);
  const points = stats.graphql.pointsUsed;
  return {
    mode,
    replicas,
    wallS,
    products: results.reduce((sum, r) => sum + r.products, 0),
    calls: stats.graphql.requests,
    throttled: stats.graphql.throttled,
    points,
    utilisation: points / (RESTORE_RATE * wallS + BUCKET),
    pointsPerSecondOverRestore: points / wallS / RESTORE_RATE,
  };
}

function table(rows: RunRow[]): void {
  const header = [
    'mode',
    'replicas',
    'wall s',
    'products',
    'calls',
    'throttled',
    'throttled %',
    'points',
    'utilisation',
    'pts/s ÷ restore',
  ];
  const lines = rows.map((r) => [
    r.mode,
    String(r.replicas),
    r.wallS.toFixed(1),
    String(r.products),
    String(r.calls),
    String(r.throttled),
    r.calls ? ((100 * r.throttled) / r.calls).toFixed(1) : '0.0',
    String(r.points),
    r.mode === 'bulk' ? 'n/a' : r.utilisation.toFixed(3),
    r.mode === 'bulk' ? 'n/a' : r.pointsPerSecondOverRestore.toFixed(3),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const format = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i])).join('  ');
  log(format(header));
  for (const line of lines) log(format(line));
}

async function main(): Promise<void> {
  log(
    `Admin API export: ${PRODUCTS} products × 5 variants, Standard plan ` +
      `(${RESTORE_RATE} points/s, bucket ${BUCKET}); then ${REPLICAS} replicas at once on one shop`,
  );
  const sim = await startSimulatorProcess({ SIM_ADMIN_PRODUCTS: String(PRODUCTS) });
  const rows: RunRow[] = [];
  try {
    for (const mode of MODES) {
      const row = await run(sim, mode, 1);
      rows.push(row);
      log(`  ${mode} ×1 done in ${row.wallS.toFixed(1)} s`);
    }
    for (const mode of MODES.filter((m) => m !== 'bulk')) {
      const row = await run(sim, mode, REPLICAS);
      rows.push(row);
      log(`  ${mode} ×${REPLICAS} done in ${row.wallS.toFixed(1)} s`);
    }
  } finally {
    await sim.stop();
  }
  log('');
  table(rows);
  log('');
  log('Targets: client ×1 utilisation ≥ 0.95 and 0 throttled; ×3 ≥ 0.90 and ≤ 1 % throttled.');
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
