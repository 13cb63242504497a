import { breakerState, isBreakerOpenError, RetriesExhaustedError } from '@shopwire/resilience';
import { startSimulatorProcess, waitFor, type SimulatorProcess } from '@shopwire/testing';
import Redis from 'ioredis';
import { Registry } from 'prom-client';
import { randomUUID } from 'node:crypto';
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  BulkCompletionHub,
  BulkOperations,
  isShopifyAdminError,
  predictQueryCost,
  ShopifyAdminClient,
  type ShopifyAdminClientOptions,
} from '../src';

// test-runs-alone: its Retry-After and three-process throttle checks depend on the simulator's
// buckets refilling at wall-clock rate, which a loaded machine skews.
// The real simulator process (built: `npm run build`) and real Redis. Each test uses its own shop
// and the file its own Redis prefix, so nothing here meets another test's state.
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `shopwire-test:admin-client:${randomUUID().slice(0, 8)}`;
const VERSION = '2026-01';

let sim: SimulatorProcess;
const redises: Redis[] = [];
const clients: ShopifyAdminClient[] = [];

interface SimStats {
  graphql: { requests: number; throttled: number; pointsUsed: number; maxCostExceeded: number };
  rest: { requests: number; throttled: number };
  bulk: { started: number };
}

function newShop(name: string): string {
  return `${name}-${randomUUID().slice(0, 8)}.myshopify.com`;
}

function client(overrides: Partial<ShopifyAdminClientOptions> = {}): ShopifyAdminClient {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 2 });
  redises.push(redis);
  const created = new ShopifyAdminClient({
    redis,
    keyPrefix: prefix,
    accessToken: () => 'shpat_test_token',
    apiVersion: VERSION,
    shopUrl: (shop, version) => `${sim.baseUrl}/shops/${shop}/admin/api/${version}`,
    timeoutMs: 5000,
    ...overrides,
  });
  clients.push(created);
  return created;
}

async function setupShop(shop: string, products: number, plan = 'standard'): Promise<void> {
  const reply = await sim.call('PUT', `/sim/admin/shops/${shop}`, { plan, products });
  expect(reply.status).toBeLessThan(300);
}

async function stats(shop: string): Promise<SimStats> {
  const reply = await sim.call<SimStats>('GET', `/sim/admin/shops/${shop}/stats`);
  expect(reply.status).toBe(200);
  return reply.json;
}

/** A page of products with their variants: 2 + n × (1 + 2 + 5) points. */
const PAGE = `query Page($n: Int!, $after: String) {
  products(first: $n, after: $after) {
    edges { node { id legacyResourceId title variants(first: 5) { edges { node { id sku } } } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

/** Calls from outside the client (no budget): used to drain a shop's buckets on purpose. */
async function rawAdmin(shop: string, path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${sim.baseUrl}/shops/${shop}/admin/api/${VERSION}/${path}`, {
    ...init,
    headers: { 'x-shopify-access-token': 'shpat_raw', 'content-type': 'application/json' },
  });
}

/** `total` calls spread over `count` concurrent workers; resolves with the calls made. */
async function workers(
  count: number,
  total: number,
  call: () => Promise<unknown>,
): Promise<number> {
  let started = 0;
  await Promise.all(
    Array.from({ length: count }, async () => {
      while (started < total) {
        started++;
        await call();
      }
    }),
  );
  return started;
}

beforeAll(async () => {
  sim = await startSimulatorProcess();
}, 60_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  // the replica processes' budget keys too; a connection of its own (closed below) when no test
  // in this run made a client
  if (!redises.length) redises.push(new Redis(REDIS_URL));
  const keys = await redises[0].keys(`${prefix}:*`);
  if (keys.length) await redises[0].del(...keys);
  await Promise.all(redises.map((r) => r.quit()));
  await sim?.stop();
});

describe('ShopifyAdminClient against the simulator', () => {
  it('reads data losslessly (IDs above 2^53 stay exact strings)', async () => {
    const shop = newShop('lossless');
    await setupShop(shop, 5);
    const { data, cost } = await client().graphqlWithCost<{
      products: { edges: { node: { id: string; legacyResourceId: string } }[] };
    }>(shop, PAGE, { n: 2 });
    const node = data.products.edges[0].node;
    expect(typeof node.legacyResourceId).toBe('string');
    expect(BigInt(node.legacyResourceId) > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
    expect(node.id).toBe(`gid://shopify/Product/${node.legacyResourceId}`);
    expect(cost).toMatchObject({ throttleStatus: { maximumAvailable: 2000, restoreRate: 100 } });
  });

  it('predicts what the simulator charges: exactly for reads, never less for mutations', async () => {
    const shop = newShop('predict');
    await setupShop(shop, 5);
    const c = client();
    const page = await c.graphqlWithCost<{
      products: {
        edges: { node: { id: string; variants: { edges: { node: { id: string } }[] } } }[];
      };
    }>(shop, PAGE, { n: 3 });
    const product = page.data.products.edges[0].node;
    const reads: [string, Record<string, unknown>?][] = [
      [PAGE, { n: 40 }],
      ['{ shop { id name plan { displayName } } }'],
      [
        'query($ids: [ID!]!) { nodes(ids: $ids) { id ... on ProductVariant { sku inventoryItem { id } } } }',
        { ids: product.variants.edges.map((e) => e.node.id) },
      ],
      ['{ locations(first: 5) { nodes { id name } } }'],
    ];
    const mutations: [string, Record<string, unknown>][] = [
      [
        'mutation($id: ID!) { productUpdate(input: {id: $id, title: "Renamed"}) { product { id title } userErrors { field message } } }',
        { id: product.id },
      ],
      [
        'mutation($id: ID!) { tagsAdd(id: $id, tags: ["synced"]) { node { id } userErrors { message } } }',
        { id: product.id },
      ],
    ];
    for (const [query, variables] of reads) {
      const { cost } = await c.graphqlWithCost(shop, query, variables);
      expect({ query, cost: predictQueryCost(query, variables) }).toEqual({
        query,
        cost: cost!.requestedQueryCost,
      });
    }
    for (const [query, variables] of mutations) {
      const { cost } = await c.graphqlWithCost(shop, query, variables);
      expect(predictQueryCost(query, variables)).toBeGreaterThanOrEqual(cost!.requestedQueryCost);
      expect(predictQueryCost(query, variables)).toBeLessThanOrEqual(cost!.requestedQueryCost + 5);
    }
  });

  it('one client in steady state past its bucket is never throttled', async () => {
    const shop = newShop('steady');
    await setupShop(shop, 500);
    const registry = new Registry();
    const c = client({ registry });
    // 20 pages of 162 points from 4 workers: the 2000-point bucket is gone after a dozen, the
    // rest goes at the restore rate (~13 s) — the client must wait, not be refused.
    const calls = await workers(4, 20, () => c.graphql(shop, PAGE, { n: 20 }));
    const s = await stats(shop);
    expect(calls).toBe(20);
    expect(s.graphql.requests).toBe(20);
    expect(s.graphql.throttled).toBe(0);
    expect(s.graphql.pointsUsed).toBe(20 * 162);
    // what the client exported agrees with what the simulator counted
    const metric = async (name: string) =>
      (await registry.getSingleMetric(name)!.get()).values.filter(
        (v) => v.labels.shop === shop || !v.labels.shop,
      );
    expect((await metric('shopwire_shopify_admin_points_used_total'))[0].value).toBe(20 * 162);
    expect(await metric('shopwire_shopify_admin_throttled_total')).toEqual([]);
    // the run went past the bucket, so calls waited for points (seconds in all)
    const waits = await registry
      .getSingleMetric('shopwire_shopify_admin_budget_wait_seconds')!
      .get();
    const waitSum = waits.values.find((v) =>
      (v as { metricName?: string }).metricName?.endsWith('_sum'),
    );
    expect(waitSum!.value).toBeGreaterThan(5);
    const breaker = (await registry.getSingleMetric('shopwire_circuit_breaker_state')!.get())
      .values;
    expect(breaker).toContainEqual(
      expect.objectContaining({ labels: { breaker: `shopify-admin:${shop}` }, value: 0 }),
    );
  });

  it('keeps REST calls inside the 40-call bucket: no 429 past the bucket', async () => {
    const shop = newShop('reststeady');
    await setupShop(shop, 30);
    const c = client();
    // 50 calls: 40 from the bucket, the rest at 2/s
    await workers(4, 50, () => c.rest(shop, { path: 'products.json', query: { limit: 1 } }));
    const s = await stats(shop);
    expect(s.rest.requests).toBe(50);
    expect(s.rest.throttled).toBe(0);
  });

  it('keeps points for critical calls while a reporting job saturates the shop', async () => {
    const shop = newShop('priority');
    await setupShop(shop, 500);
    const reporting = client();
    const business = client();
    let stop = false;
    const job = Promise.all(
      Array.from({ length: 3 }, async () => {
        while (!stop) await reporting.graphql(shop, PAGE, { n: 50 }, { priority: 'reporting' });
      }),
    );
    try {
      // the report has spent the bucket down to its floor (margin + 25 % reserve ≈ 540 points)
      await waitFor(async () => (await stats(shop)).graphql.pointsUsed >= 1206, {
        timeoutMs: 30_000,
        what: 'the reporting job to drain the bucket',
      });
      const started = Date.now();
      await business.graphql(shop, PAGE, { n: 50 }, { priority: 'critical' });
      // 402 points: without the reserve this would wait ~4 s behind the report for the restore
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      stop = true;
      await job;
    }
    expect((await stats(shop)).graphql.throttled).toBe(0);
  });

  it('waits for the restore after a THROTTLED reply and then succeeds', async () => {
    const shop = newShop('throttled');
    await setupShop(shop, 300);
    // someone outside the budget (another app's bug) empties the bucket
    for (let i = 0; i < 6; i++)
      await rawAdmin(shop, 'graphql.json', {
        method: 'POST',
        body: JSON.stringify({ query: PAGE, variables: { n: 100 } }),
      });
    const data = await client().graphql<{ products: { edges: unknown[] } }>(shop, PAGE, { n: 50 });
    expect(data.products.edges).toHaveLength(50);
    const s = await stats(shop);
    expect(s.graphql.throttled).toBeGreaterThanOrEqual(1);
  });

  it('refuses a query over the single-query maximum without retrying', async () => {
    const shop = newShop('maxcost');
    await setupShop(shop, 5);
    const error = await client()
      .graphql(shop, PAGE.replace('variants(first: 5)', 'variants(first: 250)'), { n: 250 })
      .catch((e: unknown) => e);
    expect(isShopifyAdminError(error) && error.code).toBe('MAX_COST_EXCEEDED');
    expect((await stats(shop)).graphql.maxCostExceeded).toBe(1);
  });

  it('honours a 429 Retry-After in seconds, and pages REST by page_info', async () => {
    const shop = newShop('rest');
    await setupShop(shop, 30);
    // empty the 40-call REST bucket from outside the client
    let lastRetryAfter: string | null = null;
    for (let i = 0; i < 45; i++) {
      const reply = await rawAdmin(shop, 'products.json?limit=1');
      if (reply.status === 429) lastRetryAfter = reply.headers.get('retry-after');
      await reply.arrayBuffer();
    }
    expect(lastRetryAfter).toMatch(/^\d+(\.\d+)?$/);
    const c = client();
    const started = Date.now();
    const page = await c.rest(shop, { path: 'products.json', query: { limit: 10 } });
    const waited = Date.now() - started;
    expect(page.status).toBe(200);
    // the simulator asked for ≥ 0.5 s (one call at 2/s); milliseconds would have been ~0
    expect(waited).toBeGreaterThanOrEqual(Number(lastRetryAfter) * 1000 - 50);
    expect(waited).toBeLessThan(30_000);
    expect((await stats(shop)).rest.throttled).toBeGreaterThanOrEqual(6);
    expect(page.pageInfo.next).toBeTruthy();
    const next = await c.rest(shop, {
      path: 'products.json',
      query: { limit: 10, page_info: page.pageInfo.next! },
    });
    const ids = (body: unknown) =>
      ((body as { products: { id: string | number }[] }).products ?? []).map((p) => String(p.id));
    expect(ids(next.body)).toHaveLength(10);
    expect(ids(next.body).some((id) => ids(page.body).includes(id))).toBe(false);
  });

  it('retries dropped connections and 5xx replies until they succeed', async () => {
    const shop = newShop('flaky');
    await setupShop(shop, 5);
    const c = client({
      retry: { attempts: 10, baseMs: 10, capMs: 100 },
      breaker: { errorThresholdPercentage: 95, volumeThreshold: 1000 },
    });
    const set = await sim.call('PUT', '/sim/admin/faults', {
      shop,
      dropRate: 0.3,
      errorRate: 0.2,
      errorStatus: 502,
    });
    expect(set.status).toBeLessThan(300);
    try {
      for (let i = 0; i < 10; i++) {
        const data = await c.graphql<{ shop: { id: string } }>(shop, '{ shop { id } }');
        expect(data.shop.id).toMatch(/^gid:\/\/shopify\/Shop\//);
      }
      const failures = c.health()[shop] as { failures: number };
      expect(failures.failures).toBeGreaterThan(0);
    } finally {
      await sim.call('DELETE', '/sim/admin/faults');
    }
  });

  it('abandons an attempt slower than its timeout', async () => {
    const shop = newShop('slow');
    await setupShop(shop, 5);
    const c = client({ timeoutMs: 300, retry: { attempts: 2, baseMs: 10, capMs: 20 } });
    await sim.call('PUT', '/sim/admin/faults', { shop, latencyMs: 3000 });
    try {
      const started = Date.now();
      const error = await c.graphql(shop, '{ shop { id } }').catch((e: unknown) => e);
      // two attempts of 300 ms, not two of 3 s
      expect(Date.now() - started).toBeLessThan(2500);
      expect(error).toBeInstanceOf(RetriesExhaustedError);
      expect(((error as RetriesExhaustedError).cause as { code?: string }).code).toBe('TIMEOUT');
    } finally {
      await sim.call('DELETE', '/sim/admin/faults');
    }
  });

  it('opens the shop breaker in a 5xx storm and closes it when the shop recovers', async () => {
    const shop = newShop('storm');
    await setupShop(shop, 5);
    const c = client({
      retry: { attempts: 2, baseMs: 10, capMs: 50 },
      breaker: { volumeThreshold: 4, resetTimeoutMs: 1000 },
    });
    await sim.call('PUT', '/sim/admin/faults', { shop, errorBurst: 1000, errorStatus: 503 });
    try {
      let open = false;
      for (let i = 0; i < 20 && !open; i++) {
        const error = await c.graphql(shop, '{ shop { id } }').catch((e: unknown) => e);
        open = isBreakerOpenError(error);
      }
      expect(open).toBe(true);
      expect(breakerState(c.breakerFor(shop))).toBe('open');
    } finally {
      await sim.call('DELETE', '/sim/admin/faults');
    }
    // half-open after resetTimeout; one good call closes it
    const data = await waitFor(
      () => c.graphql<{ shop: { id: string } }>(shop, '{ shop { id } }').catch(() => null),
      { timeoutMs: 20_000, intervalMs: 250, what: 'the breaker to let a call through' },
    );
    expect(data.shop.id).toMatch(/^gid:\/\/shopify\/Shop\//);
    expect(breakerState(c.breakerFor(shop))).toBe('closed');
  });
});

describe('three client processes sharing one shop', () => {
  // The benchmark's replica, built: a process of its own that exports every product of a shop
  // through its own ShopifyAdminClient, Redis connection and event loop, then prints one JSON
  // line. What the three share is what real replicas share: the shop's budget in Redis and Shopify.
  const REPLICA = join(__dirname, '../../../dist/benchmarks/shopify-api/replica.js');
  const PRODUCTS = 150;
  const RESTORE_RATE = 100;
  const BUCKET = 2000;

  interface Exit {
    code: number | null;
    result: { products: number; variants: number; calls: number } | null;
  }

  function exitOf(child: ChildProcess): Promise<Exit> {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    return new Promise((resolve) =>
      child.once('exit', (code) => {
        const last = out.trim().split('\n').pop();
        resolve({ code, result: code === 0 && last ? (JSON.parse(last) as Exit['result']) : null });
      }),
    );
  }

  it('stay within 1 % throttled, and each process exports the whole catalog', async () => {
    if (!existsSync(REPLICA)) throw new Error(`${REPLICA} is missing: node scripts/build.mjs`);
    const shop = newShop('shared');
    await setupShop(shop, PRODUCTS);
    // 25 products a page (202 points): 3 × 6 pages, 3,636 points, so ~17 s past the bucket
    const env = {
      ...process.env,
      MODE: 'client',
      SHOP: shop,
      SIM_URL: sim.baseUrl,
      REDIS_URL,
      BUDGET_PREFIX: prefix,
      PAGE_SIZE: '25',
    };
    const children = Array.from({ length: 3 }, () =>
      fork(REPLICA, [], { env, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] }),
    );
    try {
      const exits = children.map(exitOf);
      // each says 'ready' once loaded; all start together however slowly they loaded
      await Promise.all(
        children.map((child, i) => Promise.race([once(child, 'message'), exits[i]])),
      );
      expect(children.map((child) => child.exitCode)).toEqual([null, null, null]);
      const started = Date.now();
      for (const child of children) child.send('go');
      const done = await Promise.all(exits);
      const wallS = (Date.now() - started) / 1000;

      expect(done.map((d) => d.code)).toEqual([0, 0, 0]);
      for (const { result } of done)
        expect(result).toMatchObject({ products: PRODUCTS, variants: PRODUCTS * 5 });
      const s = await stats(shop);
      const calls = done.reduce((sum, d) => sum + d.result!.calls, 0);
      expect(s.graphql.requests).toBeGreaterThanOrEqual(calls);
      expect(s.graphql.pointsUsed).toBeGreaterThan(BUCKET);
      expect(s.graphql.throttled / s.graphql.requests).toBeLessThanOrEqual(0.01);
      // Reported, not asserted: on a loaded machine the share of the budget used varies.
      const utilisation = s.graphql.pointsUsed / (RESTORE_RATE * wallS + BUCKET);
      process.stdout.write(
        `three client processes: ${wallS.toFixed(1)} s, ${s.graphql.requests} calls ` +
          `(${done.map((d) => d.result!.calls).join('+')}), ${s.graphql.throttled} THROTTLED, ` +
          `${s.graphql.pointsUsed} points, utilisation ${utilisation.toFixed(3)} ` +
          `(points ÷ (restore rate × wall + bucket))\n`,
      );
    } finally {
      for (const child of children) if (child.exitCode === null) child.kill();
    }
  }, 120_000);
});

describe('BulkOperations against the simulator', () => {
  const BULK = `{ products { edges { node { id title variants { edges { node { id sku } } } } } } }`;

  it('exports every product with its variants reassembled, polling to completion', async () => {
    const shop = newShop('bulk');
    await setupShop(shop, 120);
    const settings = await sim.call('PUT', '/sim/admin/bulk-settings', { objectsPerSecond: 5000 });
    expect(settings.status).toBeLessThan(300);
    const bulk = new BulkOperations(client());
    let products = 0;
    let variants = 0;
    for await (const record of bulk.export(shop, BULK, { pollIntervalMs: 200 })) {
      products++;
      variants += record.children.length;
      expect(record.children.every((c) => String(c.node.id).includes('ProductVariant'))).toBe(true);
    }
    await bulk.close();
    expect(products).toBe(120);
    expect(variants).toBe(600);
    expect((await stats(shop)).bulk.started).toBe(1);
  });

  it('wakes on the bulk_operations/finish webhook instead of polling', async () => {
    const shop = newShop('bulkhook');
    await setupShop(shop, 150);
    const hub = new BulkCompletionHub();
    const topics: string[] = [];
    const server: Server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        topics.push(String(req.headers['x-shopify-topic']));
        hub.notify(
          JSON.parse(Buffer.concat(chunks).toString('utf8')) as { admin_graphql_api_id?: string },
        );
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const settings = await sim.call('PUT', '/sim/admin/bulk-settings', {
      objectsPerSecond: 300,
      webhookUrl: `http://127.0.0.1:${port}/webhooks`,
      webhookSecret: 'bulk-test-secret',
    });
    expect(settings.status).toBeLessThan(300);
    try {
      const bulk = new BulkOperations(client(), { completions: hub });
      const started = Date.now();
      let count = 0;
      // 900 lines at 300/s, paced between the simulator's 50-product pages: ~2 s; the
      // backstop poll (60 s) would be far slower
      for await (const record of bulk.export(shop, BULK, { backstopPollMs: 60_000 }))
        count += 1 + record.children.length;
      await bulk.close();
      expect(count).toBe(900);
      expect(topics).toContain('bulk_operations/finish');
      // still running at the first poll, so only the webhook can have woken the wait
      const elapsed = Date.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(1500);
      expect(elapsed).toBeLessThan(45_000);
    } finally {
      await sim.call('PUT', '/sim/admin/bulk-settings', { objectsPerSecond: 5000 });
      await new Promise((r) => server.close(r));
    }
  });
});
