// One replica of the Admin API benchmark (started by run.ts as its own process): exports every
// product of one shop with its variants, in one of three ways, and prints one JSON line.
//
//   naive   pages through `products` as fast as it can; only an error (THROTTLED, 5xx) makes it
//           wait, with exponential backoff and full jitter — the usual hand-written client.
//   client  pages through with ShopifyAdminClient: predicted cost, shared Redis budget.
//   bulk    one bulkOperationRunQuery, polled, its JSONL streamed and reassembled.
//
// Env: MODE, SHOP, SIM_URL, REDIS_URL, BUDGET_PREFIX, PAGE_SIZE (default 100).
//
// libs/shopify-admin's integration test forks this file (built) as its three client processes:
// keep the env and the JSON line stable. Forked with an IPC channel, a replica first reports
// 'ready' and waits for a message before it starts (see awaitStartSignal).
import { fullJitterDelay } from '@shopwire/resilience';
import { isJsonObject, parseShopifyJson, type ShopifyJson } from '@shopwire/shopify';
import { BulkOperations, ShopifyAdminClient } from '@shopwire/shopify-admin';
import Redis from 'ioredis';
import { once } from 'node:events';
import { request } from 'undici';

export const PAGE_QUERY = `query ExportPage($n: Int!, $after: String) {
  products(first: $n, after: $after) {
    edges { node { id legacyResourceId title variants(first: 5) { edges { node { id sku price } } } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

export const BULK_QUERY = `{
  products { edges { node { id legacyResourceId title variants { edges { node { id sku price } } } } } }
}`;

export interface ReplicaResult {
  mode: string;
  products: number;
  variants: number;
  calls: number;
  throttledSeen: number;
  wallMs: number;
}

type Page = {
  products: {
    edges: { node: { variants: { edges: unknown[] } } }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
};

const env = (name: string, fallback?: string): string => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`${name} is required`);
  return value;
};

const SHOP = env('SHOP');
const SIM_URL = env('SIM_URL');
const VERSION = '2026-01';
const PAGE_SIZE = Number(env('PAGE_SIZE', '100'));
const base = (shop: string) => `${SIM_URL}/shops/${shop}/admin/api/${VERSION}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function naive(): Promise<Omit<ReplicaResult, 'mode' | 'wallMs'>> {
  const result = { products: 0, variants: 0, calls: 0, throttledSeen: 0 };
  let after: string | null = null;
  for (;;) {
    let page: Page | null = null;
    for (let attempt = 1; !page; attempt++) {
      result.calls++;
      const reply = await request(`${base(SHOP)}/graphql.json`, {
        method: 'POST',
        headers: { 'x-shopify-access-token': 'shpat_bench', 'content-type': 'application/json' },
        body: JSON.stringify({ query: PAGE_QUERY, variables: { n: PAGE_SIZE, after } }),
      });
      const text = await reply.body.text();
      const body: ShopifyJson = reply.statusCode < 500 ? parseShopifyJson(text) : null;
      const errors = isJsonObject(body) && Array.isArray(body.errors) ? body.errors : [];
      if (reply.statusCode === 200 && errors.length === 0 && isJsonObject(body)) {
        page = body.data as unknown as Page;
        break;
      }
      if (JSON.stringify(errors).includes('THROTTLED')) result.throttledSeen++;
      else if (reply.statusCode < 500)
        throw new Error(`naive export failed: ${text.slice(0, 200)}`);
      await sleep(fullJitterDelay(attempt, 250, 8000));
    }
    for (const edge of page.products.edges) {
      result.products++;
      result.variants += edge.node.variants.edges.length;
    }
    if (!page.products.pageInfo.hasNextPage) return result;
    after = page.products.pageInfo.endCursor;
  }
}

function shopwireClient(redis: Redis): ShopifyAdminClient {
  return new ShopifyAdminClient({
    redis,
    keyPrefix: env('BUDGET_PREFIX'),
    accessToken: () => 'shpat_bench',
    apiVersion: VERSION,
    shopUrl: (shop, version) => `${SIM_URL}/shops/${shop}/admin/api/${version}`,
  });
}

async function budgeted(
  client: ShopifyAdminClient,
): Promise<Omit<ReplicaResult, 'mode' | 'wallMs'>> {
  const result = { products: 0, variants: 0, calls: 0, throttledSeen: 0 };
  let after: string | null = null;
  for (;;) {
    result.calls++;
    const page: Page = await client.graphql<Page>(SHOP, PAGE_QUERY, { n: PAGE_SIZE, after });
    for (const edge of page.products.edges) {
      result.products++;
      result.variants += edge.node.variants.edges.length;
    }
    if (!page.products.pageInfo.hasNextPage) return result;
    after = page.products.pageInfo.endCursor;
  }
}

async function bulk(client: ShopifyAdminClient): Promise<Omit<ReplicaResult, 'mode' | 'wallMs'>> {
  const result = { products: 0, variants: 0, calls: 0, throttledSeen: 0 };
  const operations = new BulkOperations(client);
  for await (const record of operations.export(SHOP, BULK_QUERY, { pollIntervalMs: 500 })) {
    result.products++;
    result.variants += record.children.length;
  }
  await operations.close();
  return result;
}

/**
 * With an IPC channel (forked), says 'ready' once loaded and waits for the parent's word: on a
 * busy machine processes take seconds to load, at different speeds, and replicas that start
 * seconds apart share the budget for only part of the run. Without a channel (the benchmark
 * spawns its replicas), starts at once.
 */
async function awaitStartSignal(): Promise<void> {
  if (!process.send) return;
  const go = once(process, 'message');
  process.send('ready');
  await go;
  // an open channel would keep this process alive after its work
  process.disconnect();
}

async function main(): Promise<void> {
  const mode = env('MODE');
  await awaitStartSignal();
  const started = Date.now();
  let result: Omit<ReplicaResult, 'mode' | 'wallMs'>;
  if (mode === 'naive') result = await naive();
  else {
    const redis = new Redis(env('REDIS_URL', 'redis://127.0.0.1:6379'));
    const client = shopwireClient(redis);
    try {
      result = mode === 'bulk' ? await bulk(client) : await budgeted(client);
    } finally {
      await client.close();
      await redis.quit();
    }
  }
  const line: ReplicaResult = { mode, ...result, wallMs: Date.now() - started };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`replica failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
}
