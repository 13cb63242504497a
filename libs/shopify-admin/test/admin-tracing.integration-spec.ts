import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { startSpanCapture, type ReadableSpan, type SpanCapture } from '@shopwire/observability';
import { startSimulatorProcess, type SimulatorProcess } from '@shopwire/testing';
import { RetriesExhaustedError } from '@shopwire/resilience';
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import {
  BulkOperations,
  isShopifyAdminError,
  ShopifyAdminClient,
  type ShopifyAdminClientOptions,
} from '../src';

// The client's spans, captured in memory, for calls to the real simulator process (built:
// `npm run build`) with the budget in real Redis. Each test has its own shop.
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `shopwire-test:admin-tracing:${randomUUID().slice(0, 8)}`;
const VERSION = '2026-01';
const TOKEN = 'shpat_tracing_secret_token';

let capture: SpanCapture;
let sim: SimulatorProcess;
let redis: Redis;
const clients: ShopifyAdminClient[] = [];

const PAGE = `query Page($n: Int!) {
  products(first: $n) { edges { node { id title variants(first: 5) { edges { node { id sku } } } } } }
}`;

function client(overrides: Partial<ShopifyAdminClientOptions> = {}): ShopifyAdminClient {
  const created = new ShopifyAdminClient({
    redis,
    keyPrefix: prefix,
    accessToken: () => TOKEN,
    apiVersion: VERSION,
    shopUrl: (shop, version) => `${sim.baseUrl}/shops/${shop}/admin/api/${version}`,
    timeoutMs: 5000,
    retry: { attempts: 3, baseMs: 10, capMs: 50 },
    ...overrides,
  });
  clients.push(created);
  return created;
}

async function newShop(name: string, products = 5): Promise<string> {
  const shop = `${name}-${randomUUID().slice(0, 8)}.myshopify.com`;
  const reply = await sim.call('PUT', `/sim/admin/shops/${shop}`, { plan: 'standard', products });
  expect(reply.status).toBeLessThan(300);
  return shop;
}

/** Runs `call` under a parent span, as a consumer's handler would; returns the parent's ids. */
async function underParent<T>(
  call: () => Promise<T>,
): Promise<{ traceId: string; spanId: string; result: T }> {
  const parent = trace.getTracer('test').startSpan('process test', {}, ROOT_CONTEXT);
  try {
    const result = await context.with(trace.setSpan(ROOT_CONTEXT, parent), call);
    return { ...parent.spanContext(), result };
  } finally {
    parent.end();
  }
}

function spansOf(shop: string): ReadableSpan[] {
  return capture.spans().filter((s) => s.attributes['shopify.shop_domain'] === shop);
}

/** Everything a span would export that could leak: attributes, events, status. */
function exported(span: ReadableSpan): string {
  return JSON.stringify({ a: span.attributes, e: span.events, s: span.status, n: span.name });
}

beforeAll(async () => {
  capture = startSpanCapture('shopify-admin-test');
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 2 });
  sim = await startSimulatorProcess();
}, 60_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
  await sim?.stop();
  await capture?.stop();
});

afterEach(async () => {
  await sim.call('DELETE', '/sim/admin/faults');
});

describe('Admin API client spans', () => {
  it('makes one CLIENT span per GraphQL call, under the caller, with the costs Shopify reported', async () => {
    const shop = await newShop('trace-gql');
    const parent = await underParent(() =>
      client().graphqlWithCost(shop, PAGE, { n: 3 }, { priority: 'critical' }),
    );

    const [span, ...others] = spansOf(shop);
    expect(others).toHaveLength(0);
    expect(span.name).toBe('shopify graphql');
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.spanContext().traceId).toBe(parent.traceId);
    expect(span.parentSpanContext?.spanId).toBe(parent.spanId);
    const cost = parent.result.cost!;
    expect(span.attributes).toMatchObject({
      'shopify.api': 'graphql',
      'shopify.operation': 'Page',
      'graphql.operation.type': 'query',
      'shopify.priority': 'critical',
      'http.request.method': 'POST',
      'http.response.status_code': 200,
      'shopify.cost.requested': cost.requestedQueryCost,
      'shopify.cost.actual': cost.actualQueryCost,
      'shopify.throttled': false,
      'shopwire.retry_count': 0,
    });
    expect(cost.actualQueryCost).toBeGreaterThan(0);
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.events).toHaveLength(0);
    expect(exported(span)).not.toContain(TOKEN);
  });

  it('names an anonymous query by its root field and a REST call by its path without ids', async () => {
    const shop = await newShop('trace-names');
    const c = client();
    await c.graphql(shop, '{ shop { id } }');
    const page = await c.rest(shop, { path: 'products.json', query: { limit: 1 } });
    const id = String((page.body as { products: { id: string | number }[] }).products[0].id);
    await c.rest(shop, { path: `products/${id}.json` });

    const names = spansOf(shop).map((s) => [s.name, s.attributes['shopify.operation']]);
    expect(names).toEqual([
      ['shopify graphql', 'shop'],
      ['shopify rest', 'GET products.json'],
      ['shopify rest', 'GET products/{id}.json'],
    ]);
    expect(spansOf(shop).every((s) => s.attributes['http.response.status_code'] === 200)).toBe(
      true,
    );
    expect(spansOf(shop).map(exported).join()).not.toContain(id);
  });

  it('records a THROTTLED reply as an event and the call as throttled, then succeeded', async () => {
    const shop = await newShop('trace-throttled', 300);
    // Someone outside the budget (another app's bug) empties the bucket until Shopify throttles;
    // the client, new to the shop, believes it full and is throttled on its first attempt.
    const raw = () =>
      fetch(`${sim.baseUrl}/shops/${shop}/admin/api/${VERSION}/graphql.json`, {
        method: 'POST',
        headers: { 'x-shopify-access-token': 'shpat_raw', 'content-type': 'application/json' },
        body: JSON.stringify({ query: PAGE, variables: { n: 100 } }),
      }).then((r) => r.text());
    for (let i = 0; i < 50 && !(await raw()).includes('THROTTLED'); i++);
    await client({ retry: { attempts: 6, baseMs: 10, capMs: 50 } }).graphql(shop, PAGE, {
      n: 100,
    });

    const [span] = spansOf(shop);
    const failed = span.events.filter((e) => e.name === 'shopify attempt failed');
    expect(failed.length).toBeGreaterThanOrEqual(1);
    expect(failed[0].attributes).toMatchObject({
      'error.type': 'THROTTLED',
      'http.response.status_code': 200,
      'shopwire.attempt': 1,
    });
    expect(span.attributes).toMatchObject({
      'shopify.throttled': true,
      'shopify.throttled_attempts': failed.length,
      'shopwire.retry_count': failed.length,
      'http.response.status_code': 200,
    });
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('counts 5xx retries on the span and marks a call that failed for good as an error', async () => {
    const shop = await newShop('trace-5xx');
    const c = client({ breaker: { volumeThreshold: 1000 } });
    await sim.call('PUT', '/sim/admin/faults', { shop, errorBurst: 2, errorStatus: 502 });
    await c.graphql(shop, '{ shop { id } }');
    await sim.call('PUT', '/sim/admin/faults', { shop, errorBurst: 3, errorStatus: 503 });
    const error = await c.graphql(shop, '{ shop { id } }').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetriesExhaustedError);
    const cause = (error as RetriesExhaustedError).cause;
    expect(isShopifyAdminError(cause) && cause.code).toBe('HTTP_5XX');

    const [recovered, failed] = spansOf(shop);
    expect(recovered.attributes).toMatchObject({
      'shopwire.retry_count': 2,
      'http.response.status_code': 200,
    });
    expect(recovered.events.map((e) => e.attributes?.['http.response.status_code'])).toEqual([
      502, 502,
    ]);
    expect(recovered.status.code).toBe(SpanStatusCode.UNSET);

    expect(failed.attributes).toMatchObject({
      'shopwire.retry_count': 2,
      'http.response.status_code': 503,
      'error.type': 'HTTP_5XX',
      'shopify.throttled': false,
    });
    expect(failed.status).toEqual({ code: SpanStatusCode.ERROR, message: 'HTTP_5XX (HTTP 503)' });
    const exception = failed.events.find((e) => e.name === 'exception');
    expect(exception?.attributes?.['exception.message']).toBe('HTTP_5XX (HTTP 503)');
    expect(exported(failed)).not.toContain(TOKEN);
  });

  it('marks a refused query (MAX_COST_EXCEEDED) as an error without retrying it', async () => {
    const shop = await newShop('trace-maxcost');
    const error = await client()
      .graphql(shop, PAGE.replace('variants(first: 5)', 'variants(first: 250)'), { n: 250 })
      .catch((e: unknown) => e);
    expect(isShopifyAdminError(error) && error.code).toBe('MAX_COST_EXCEEDED');

    const [span] = spansOf(shop);
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes).toMatchObject({
      'error.type': 'MAX_COST_EXCEEDED',
      'http.response.status_code': 200,
      'shopwire.retry_count': 0,
    });
  });

  it('traces a bulk export: its GraphQL calls, and the download of the result file to its last line', async () => {
    const shop = await newShop('trace-bulk', 20);
    const settings = await sim.call('PUT', '/sim/admin/bulk-settings', { objectsPerSecond: 5000 });
    expect(settings.status).toBeLessThan(300);
    const bulk = new BulkOperations(client());
    let products = 0;
    const parent = await underParent(async () => {
      for await (const _record of bulk.export(
        shop,
        '{ products { edges { node { id variants { edges { node { id } } } } } } }',
        { pollIntervalMs: 100 },
      ))
        products++;
    });
    await bulk.close();
    expect(products).toBe(20);

    const spans = spansOf(shop);
    expect(spans.every((s) => s.spanContext().traceId === parent.traceId)).toBe(true);
    expect(spans.every((s) => s.parentSpanContext?.spanId === parent.spanId)).toBe(true);
    const operations = spans
      .filter((s) => s.name === 'shopify graphql')
      .map((s) => s.attributes['shopify.operation']);
    expect(operations[0]).toBe('BulkRunQuery');
    expect(operations.length).toBeGreaterThan(1);
    expect(operations.slice(1).every((o) => o === 'BulkOperation')).toBe(true);
    const [download, ...more] = spans.filter((s) => s.name === 'shopify bulk download');
    expect(more).toHaveLength(0);
    expect(download.kind).toBe(SpanKind.CLIENT);
    expect(download.attributes).toMatchObject({
      'http.response.status_code': 200,
      'shopify.bulk.lines': 20 * 6, // each product and its five variants, one line each
      'shopwire.retry_count': 0,
    });
    expect(download.status.code).toBe(SpanStatusCode.UNSET);
    // The signed URL stays off the span: only its host.
    expect(Object.keys(download.attributes)).not.toContain('url.full');
  });
});
