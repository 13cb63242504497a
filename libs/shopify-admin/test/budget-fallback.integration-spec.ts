import { freePort, startSimulatorProcess, waitFor, type SimulatorProcess } from '@shopwire/testing';
import Redis from 'ioredis';
import pino from 'pino';
import { Registry } from 'prom-client';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { Writable } from 'node:stream';
import { ShopifyAdminClient, type ShopifyAdminClientOptions } from '../src';

// The budget's degraded mode against the real simulator process (built: `npm run build`) and a
// real Redis: "no Redis" is a port nobody listens on, or a private redis-server on a free port
// that the test stops, freezes and starts again. The shared Redis on 6379 is never touched.
const VERSION = '2026-01';
const TOKEN = 'shpat_fallback_test_token';
const prefix = `shopwire-test:budget-fallback:${randomUUID().slice(0, 8)}`;

let sim: SimulatorProcess;
const clients: ShopifyAdminClient[] = [];
const redises: Redis[] = [];

function newShop(name: string): string {
  return `${name}-${randomUUID().slice(0, 8)}.myshopify.com`;
}

/** A budget connection as the services make it (sync: retries per request 2, lazy connect). */
function connect(url: string): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: 2, lazyConnect: true });
  redis.on('error', () => undefined);
  redises.push(redis);
  return redis;
}

function client(redisUrl: string, overrides: Partial<ShopifyAdminClientOptions> = {}) {
  const created = new ShopifyAdminClient({
    redis: connect(redisUrl),
    keyPrefix: prefix,
    accessToken: () => TOKEN,
    apiVersion: VERSION,
    shopUrl: (shop, version) => `${sim.baseUrl}/shops/${shop}/admin/api/${version}`,
    timeoutMs: 5000,
    ...overrides,
  });
  clients.push(created);
  return created;
}

async function setupShop(shop: string, products: number): Promise<void> {
  const reply = await sim.call('PUT', `/sim/admin/shops/${shop}`, { plan: 'standard', products });
  expect(reply.status).toBeLessThan(300);
}

async function graphqlStats(shop: string) {
  const reply = await sim.call<{ graphql: { requests: number; throttled: number } }>(
    'GET',
    `/sim/admin/shops/${shop}/stats`,
  );
  return reply.json.graphql;
}

async function fallbackGauge(registry: Registry, api = 'graphql'): Promise<number | undefined> {
  const metric = await registry.getSingleMetric('shopwire_shopify_admin_budget_fallback')!.get();
  return metric.values.find((v) => v.labels.api === api)?.value;
}

/** 162 points a page of 20. */
const PAGE = `query Page($n: Int!, $after: String) {
  products(first: $n, after: $after) {
    edges { node { id title variants(first: 5) { edges { node { id sku } } } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

interface Page {
  products: {
    edges: { node: { id: string; variants: { edges: unknown[] } } }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

/** Every product id, page by page, as a catalog export does. */
async function exportCatalog(c: ShopifyAdminClient, shop: string): Promise<string[]> {
  const ids: string[] = [];
  let after: string | null = null;
  do {
    const page: Page = await c.graphql<Page>(shop, PAGE, { n: 20, after });
    for (const { node } of page.products.edges) {
      expect(node.variants.edges).toHaveLength(5); // the simulator gives each product five
      ids.push(node.id);
    }
    after = page.products.pageInfo.hasNextPage ? page.products.pageInfo.endCursor : null;
  } while (after);
  return ids;
}

/** A private redis-server on `port`: nothing else uses it, so stopping it disturbs no one. */
async function startRedisServer(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { cwd: tmpdir(), stdio: 'ignore' },
  );
  const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0 });
  probe.on('error', () => undefined);
  try {
    await waitFor(
      () =>
        probe
          .ping()
          .then((r) => r === 'PONG')
          .catch(() => false),
      {
        timeoutMs: 10_000,
        what: 'private redis-server to answer',
      },
    );
  } finally {
    probe.disconnect();
  }
  return child;
}

async function stopRedisServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}

beforeAll(async () => {
  sim = await startSimulatorProcess();
}, 60_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  for (const redis of redises) redis.disconnect();
  await sim?.stop();
});

describe('the budget while Redis cannot be reached', () => {
  it('three clients exporting one shop, each at a third of the bucket: complete and not throttled', async () => {
    const shop = newShop('fallback-export');
    await setupShop(shop, 120);
    const nobody = `redis://127.0.0.1:${await freePort()}`;
    const registries = [new Registry(), new Registry(), new Registry()];
    // three replicas, each cut off from Redis: 6 pages × 162 points each, 2,916 in all — past
    // the 2,000-point bucket, so the restore rate, split three ways, paces them
    const replicas = registries.map((registry) => client(nobody, { registry, fallbackShare: 3 }));
    const exports = await Promise.all(replicas.map((c) => exportCatalog(c, shop)));

    for (const ids of exports) {
      expect(ids).toHaveLength(120);
      expect(new Set(ids).size).toBe(120);
      expect([...ids].sort()).toEqual([...exports[0]].sort());
    }
    const stats = await graphqlStats(shop);
    expect(stats.requests).toBeGreaterThanOrEqual(18);
    expect(stats.throttled / stats.requests).toBeLessThanOrEqual(0.01);
    for (const [i, c] of replicas.entries()) {
      expect(c.budgetMode()).toBe('fallback');
      expect(await fallbackGauge(registries[i])).toBe(1);
      // the local share, trued up from Shopify's replies
      expect((await c.budgetState(shop)).max).toBeCloseTo(2000 / 3);
    }
  }, 90_000);

  it('leaves the shared budget when Redis stops or hangs, and goes back when it answers', async () => {
    const shop = newShop('fallback-return');
    await setupShop(shop, 20);
    const port = await freePort();
    let server = await startRedisServer(port);
    const registry = new Registry();
    const lines: string[] = [];
    const logger = pino(
      { level: 'info' },
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(chunk.toString());
          done();
        },
      }),
    );
    const c = client(`redis://127.0.0.1:${port}`, {
      registry,
      logger,
      fallbackProbeMs: 500,
      budgetRedisTimeoutMs: 300,
    });
    const observer = connect(`redis://127.0.0.1:${port}`);
    const key = `${prefix}:graphql:${shop}`;
    const call = () => c.graphql(shop, '{ shop { id name } }');
    const backOnShared = async () => {
      await call();
      return c.budgetMode() === 'shared';
    };
    try {
      await call();
      expect(c.budgetMode()).toBe('shared');
      expect(await fallbackGauge(registry)).toBe(0);
      expect(await observer.exists(key)).toBe(1);

      // hung: the process is there, its socket open, but nothing answers
      server.kill('SIGSTOP');
      try {
        await call();
        expect(c.budgetMode()).toBe('fallback');
        expect(await fallbackGauge(registry)).toBe(1);
      } finally {
        server.kill('SIGCONT');
      }
      await waitFor(backOnShared, {
        timeoutMs: 15_000,
        what: 'the client to go back to the shared budget after the hang',
      });
      expect(await fallbackGauge(registry)).toBe(0);

      // stopped: connections refused
      await stopRedisServer(server);
      await call();
      expect(c.budgetMode()).toBe('fallback');
      expect(await fallbackGauge(registry)).toBe(1);

      // back, empty (its state was in memory only): the next probe finds it
      server = await startRedisServer(port);
      await waitFor(backOnShared, {
        timeoutMs: 15_000,
        what: 'the client to go back to the shared budget after the restart',
      });
      expect(await fallbackGauge(registry)).toBe(0);
      // the restarted server began empty: the shop's key is the shared budget written again
      expect(await connect(`redis://127.0.0.1:${port}`).exists(key)).toBe(1);

      // a line on every switch (at least the two outages; a slow round trip may add a pair)
      const entered = lines.filter((l) => l.includes('Redis unreachable'));
      const left = lines.filter((l) => l.includes('back on the shared budget'));
      expect(entered.length).toBeGreaterThanOrEqual(2);
      expect(left).toHaveLength(entered.length);
      expect(JSON.parse(entered[0])).toMatchObject({ level: 40, api: 'graphql', share: 3 });
      expect(lines.join('')).not.toContain(TOKEN);
      expect((await graphqlStats(shop)).throttled).toBe(0);
    } finally {
      await stopRedisServer(server);
    }
  }, 90_000);
});
