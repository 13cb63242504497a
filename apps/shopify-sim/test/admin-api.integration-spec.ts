import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@shopwire/config';
import { createHttpApp } from '@shopwire/http';
import { createLogger, createMetricsRegistry, NestPinoLogger } from '@shopwire/observability';
import { verifyWebhookHmac } from '@shopwire/shopify';
import { parse as parseLossless } from 'lossless-json';
import type { AddressInfo } from 'node:net';
import { AppModule } from '../src/app.module';
import { simConfigSchema } from '../src/config/sim-config.schema';
import { WebhookReceiver } from './support/webhook-receiver';

const TOKEN = 'integration-token-0123456789';
const WEBHOOK_SECRET = 'admin-api-bulk-secret';

// Assertions read response JSON freely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/** A shop name no other test run uses, so state never leaks between tests or runs. */
const uniqueShop = (label: string) =>
  `it-${label}-${process.pid}-${Math.floor(Math.random() * 1e6)}.myshopify.com`;

describe('Admin API simulator (GraphQL, REST, bulk, faults) over real HTTP', () => {
  let app: NestFastifyApplication;
  let base: string;
  const receiver = new WebhookReceiver();

  const control = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${TOKEN}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json().catch(() => null)) as Json };
  };

  const graphql = async (
    shop: string,
    query: string,
    variables?: Record<string, unknown>,
    options: { version?: string; token?: string | null } = {},
  ) => {
    const response = await fetch(
      `${base}/shops/${shop}/admin/api/${options.version ?? '2026-10'}/graphql.json`,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(options.token === null
            ? {}
            : { 'x-shopify-access-token': options.token ?? 'shpat_test' }),
        },
        body: JSON.stringify({ query, variables }),
      },
    );
    return { status: response.status, json: (await response.json()) as Json };
  };

  const rest = async (shop: string, path: string) => {
    const response = await fetch(`${base}/shops/${shop}/admin/api/2026-10/${path}`, {
      headers: { 'x-shopify-access-token': 'shpat_test' },
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text };
  };

  beforeAll(async () => {
    const hook = await receiver.start();
    const config = loadConfig(simConfigSchema, {
      API_TOKENS: `tests:${TOKEN}`,
      SHOPIFY_WEBHOOK_SECRET: 'admin-api-test-secret',
      LOG_LEVEL: 'silent',
    });
    const logger = createLogger('shopify-sim', 'silent');
    app = await createHttpApp(
      AppModule.forRoot({
        config,
        logger,
        registry: createMetricsRegistry('shopify-sim'),
        smtpPort: 0,
      }),
      { title: 'sim', description: 'test', logger: new NestPinoLogger(logger), bearerAuth: true },
    );
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    expect(
      (
        await control('PUT', '/sim/admin/bulk-settings', {
          objectsPerSecond: 1_000_000,
          webhookUrl: `${hook}/bulk-finished`,
          webhookSecret: WEBHOOK_SECRET,
        })
      ).status,
    ).toBe(200);
  });

  afterAll(async () => {
    await app?.close();
    await receiver.stop();
  });

  it('needs X-Shopify-Access-Token and a myshopify domain', async () => {
    const shop = uniqueShop('auth');
    const denied = await graphql(shop, '{ shop { name } }', undefined, { token: null });
    expect(denied.status).toBe(401);
    expect(denied.json).toEqual({
      errors: '[API] Invalid API key or access token (unrecognized login or wrong password)',
    });
    expect((await graphql('example.com', '{ shop { name } }')).status).toBe(404);
    const ok = await graphql(shop, '{ shop { name myshopifyDomain } }');
    expect(ok.json.data.shop.myshopifyDomain).toBe(shop);
  });

  it('serves products with string ids above 2^53, cost extensions, refunds and cursors', async () => {
    const shop = uniqueShop('products');
    await control('PUT', `/sim/admin/shops/${shop}`, { plan: 'standard', products: 12 });
    const query = `query ($after: String) { products(first: 10, after: $after) {
      edges { cursor node { id legacyResourceId title status tags updatedAt
        variants(first: 5) { nodes { id sku price inventoryItem { id } } } } }
      pageInfo { hasNextPage endCursor } } }`;
    const first = await graphql(shop, query);
    expect(first.status).toBe(200);
    const products = first.json.data.products.edges.map((edge: Json) => edge.node);
    expect(products).toHaveLength(10);
    expect(products[0].id).toMatch(/^gid:\/\/shopify\/Product\/\d{18}$/);
    expect(BigInt(products[0].legacyResourceId) > 2n ** 53n).toBe(true);
    expect(products[0].variants.nodes).toHaveLength(5);
    // requested: 2 + 10 × (1 + 2 + 5 × (1 + 1)) = 132; all 10 × 5 returned, so nothing refunded.
    expect(first.json.extensions.cost).toMatchObject({
      requestedQueryCost: 132,
      actualQueryCost: 132,
      throttleStatus: { maximumAvailable: 2000, restoreRate: 100 },
    });
    const second = await graphql(shop, query, {
      after: first.json.data.products.pageInfo.endCursor,
    });
    expect(second.json.data.products.edges).toHaveLength(2);
    expect(second.json.data.products.pageInfo.hasNextPage).toBe(false);
    // Only 2 products came back: actual 2 + 2 × 13 = 28, the other 104 points refunded.
    expect(second.json.extensions.cost).toMatchObject({
      requestedQueryCost: 132,
      actualQueryCost: 28,
    });
    const stats = await control('GET', `/sim/admin/shops/${shop}/stats`);
    expect(stats.json.graphql).toMatchObject({ requests: 2, pointsUsed: 160, pointsRefunded: 104 });
    // The same shop yields the same data: the seed is the domain.
    const again = await graphql(shop, query);
    expect(again.json.data.products.edges[3].node).toEqual(products[3]);
  });

  it('filters orders by updated_at and finds objects by id (node, order, nodes)', async () => {
    const shop = uniqueShop('orders');
    await control('PUT', `/sim/admin/shops/${shop}`, { products: 20, orders: 200, customers: 30 });
    const all = await graphql(
      shop,
      `
        {
          orders(first: 250) {
            nodes {
              id
              updatedAt
            }
          }
        }
      `,
    );
    const dates = all.json.data.orders.nodes.map((order: Json) => order.updatedAt).sort();
    const cut = dates[160];
    const recent = await graphql(
      shop,
      `
        query ($q: String) {
          orders(first: 55, query: $q) {
            nodes {
              id
              name
              updatedAt
              email
              displayFinancialStatus
              totalPriceSet {
                shopMoney {
                  amount
                  currencyCode
                }
              }
              customer {
                id
                email
              }
              lineItems(first: 5) {
                nodes {
                  id
                  quantity
                  sku
                  variant {
                    id
                  }
                }
              }
            }
          }
        }
      `,
      { q: `updated_at:>'${cut}'` },
    );
    const orders = recent.json.data.orders.nodes;
    expect(orders.length).toBe(dates.filter((date: string) => date > cut).length);
    expect(orders.every((order: Json) => order.updatedAt > cut)).toBe(true);
    expect(orders[0].totalPriceSet.shopMoney.amount).toMatch(/^\d+\.\d{2}$/);
    const byId = await graphql(
      shop,
      `
        query ($id: ID!, $ids: [ID!]!) {
          order(id: $id) {
            name
          }
          node(id: $id) {
            ... on Order {
              name
            }
          }
          nodes(ids: $ids) {
            id
          }
        }
      `,
      { id: orders[0].id, ids: [orders[0].id, orders[0].customer.id, 'gid://shopify/Order/1'] },
    );
    expect(byId.json.data.order.name).toBe(orders[0].name);
    expect(byId.json.data.node.name).toBe(orders[0].name);
    expect(byId.json.data.nodes).toEqual([
      { id: orders[0].id },
      { id: orders[0].customer.id },
      null,
    ]);
  });

  it('applies mutations: productUpdate, tagsAdd, orderUpdate, inventorySetQuantities', async () => {
    const shop = uniqueShop('mutations');
    await control('PUT', `/sim/admin/shops/${shop}`, { products: 5, orders: 5 });
    const read = await graphql(
      shop,
      `
        {
          products(first: 1) {
            nodes {
              id
              updatedAt
              variants(first: 1) {
                nodes {
                  inventoryItem {
                    id
                    inventoryLevels(first: 1) {
                      nodes {
                        location {
                          id
                        }
                        quantities(names: ["available", "on_hand"]) {
                          name
                          quantity
                        }
                      }
                    }
                  }
                }
              }
            }
          }
          orders(first: 1) {
            nodes {
              id
            }
          }
        }
      `,
    );
    const product = read.json.data.products.nodes[0];
    const item = product.variants.nodes[0].inventoryItem;
    const locationId = item.inventoryLevels.nodes[0].location.id;
    const updated = await graphql(
      shop,
      `
        mutation ($id: ID!) {
          productUpdate(input: { id: $id, title: "Renamed", tags: ["a"] }) {
            product {
              title
              tags
              updatedAt
            }
            userErrors {
              field
              message
            }
          }
        }
      `,
      { id: product.id },
    );
    expect(updated.json.data.productUpdate).toMatchObject({
      product: { title: 'Renamed', tags: ['a'] },
      userErrors: [],
    });
    expect(updated.json.data.productUpdate.product.updatedAt > product.updatedAt).toBe(true);
    expect(updated.json.extensions.cost).toMatchObject({
      requestedQueryCost: 10,
      actualQueryCost: 10,
    });
    const tagged = await graphql(
      shop,
      `
        mutation ($id: ID!) {
          tagsAdd(id: $id, tags: ["b", "a"]) {
            node {
              ... on Product {
                tags
              }
            }
            userErrors {
              message
            }
          }
        }
      `,
      { id: product.id },
    );
    expect(tagged.json.data.tagsAdd.node.tags).toEqual(['a', 'b']);
    const order = await graphql(
      shop,
      `
        mutation ($id: ID!) {
          orderUpdate(input: { id: $id, note: "gift", tags: ["vip"] }) {
            order {
              note
              tags
            }
            userErrors {
              message
            }
          }
        }
      `,
      { id: read.json.data.orders.nodes[0].id },
    );
    expect(order.json.data.orderUpdate.order).toEqual({ note: 'gift', tags: ['vip'] });
    const set = await graphql(
      shop,
      `
        mutation ($input: InventorySetQuantitiesInput!) {
          inventorySetQuantities(input: $input) {
            inventoryAdjustmentGroup {
              reason
              changes {
                name
                quantityAfterChange
              }
            }
            userErrors {
              code
              message
            }
          }
        }
      `,
      {
        input: {
          name: 'available',
          reason: 'correction',
          quantities: [{ inventoryItemId: item.id, locationId, quantity: 77 }],
        },
      },
    );
    expect(set.json.data.inventorySetQuantities).toMatchObject({
      inventoryAdjustmentGroup: {
        reason: 'correction',
        changes: [{ name: 'available', quantityAfterChange: 77 }],
      },
      userErrors: [],
    });
    const level = await graphql(
      shop,
      `
        query ($id: ID!) {
          inventoryItem(id: $id) {
            inventoryLevels(first: 1) {
              nodes {
                quantities(names: ["available"]) {
                  quantity
                }
              }
            }
          }
        }
      `,
      { id: item.id },
    );
    expect(level.json.data.inventoryItem.inventoryLevels.nodes[0].quantities[0].quantity).toBe(77);
    const missing = await graphql(
      shop,
      `
        mutation {
          productUpdate(input: { id: "gid://shopify/Product/1", title: "x" }) {
            product {
              id
            }
            userErrors {
              field
              message
            }
          }
        }
      `,
    );
    expect(missing.json.data.productUpdate).toEqual({
      product: null,
      userErrors: [{ field: ['id'], message: 'Product does not exist' }],
    });
  });

  it('throttles a drained Standard bucket with HTTP 200 THROTTLED and refuses cost > 1000', async () => {
    const shop = uniqueShop('throttle');
    await control('PUT', `/sim/admin/shops/${shop}`, { plan: 'standard' });
    // 2 + 166 × (1 + 2 + 3) = 998 requested, and all of it used on a 10,000-product shop.
    const heavy = `{ products(first: 166) { nodes { id variants(first: 3) { nodes { id } } } } }`;
    const first = await graphql(shop, heavy);
    expect(first.json.extensions.cost).toMatchObject({
      requestedQueryCost: 998,
      actualQueryCost: 998,
    });
    const second = await graphql(shop, heavy);
    expect(second.json.data.products.nodes).toHaveLength(166);
    const third = await graphql(shop, heavy);
    expect(third.status).toBe(200);
    expect(third.json.data).toBeUndefined();
    expect(third.json.errors).toEqual([
      {
        message: 'Throttled',
        extensions: { code: 'THROTTLED', documentation: expect.stringContaining('shopify.dev') },
      },
    ]);
    expect(third.json.extensions.cost.requestedQueryCost).toBe(998);
    expect(third.json.extensions.cost.actualQueryCost).toBeNull();
    expect(third.json.extensions.cost.throttleStatus.currentlyAvailable).toBeLessThan(998);

    const tooBig = await graphql(
      shop,
      `
        {
          products(first: 250) {
            nodes {
              variants(first: 250) {
                nodes {
                  id
                }
              }
            }
          }
        }
      `,
    );
    expect(tooBig.status).toBe(200);
    expect(tooBig.json.errors[0]).toMatchObject({
      message: expect.stringMatching(
        /^Query cost is 63252, which exceeds the single query max cost limit \(1000\)/,
      ),
      extensions: { code: 'MAX_COST_EXCEEDED', cost: 63252, maxCost: 1000 },
    });
    const stats = await control('GET', `/sim/admin/shops/${shop}/stats`);
    expect(stats.json.graphql).toMatchObject({ requests: 4, throttled: 1, maxCostExceeded: 1 });
    // Upgrading the plan refills the bucket at once.
    const plus = await control('PUT', `/sim/admin/shops/${shop}`, { plan: 'plus' });
    expect(plus.json.graphql).toMatchObject({
      maximumAvailable: 20000,
      currentlyAvailable: 20000,
      restoreRate: 1000,
    });
  });

  it('REST: call-limit header, 429 with a fractional Retry-After past 40, Link cursors, big ids intact', async () => {
    const shop = uniqueShop('rest');
    await control('PUT', `/sim/admin/shops/${shop}`, { products: 7 });
    const page1 = await rest(shop, 'products.json?limit=3');
    expect(page1.status).toBe(200);
    expect(page1.headers.get('x-shopify-shop-api-call-limit')).toBe('1/40');
    const body = parseLossless(page1.text) as Json;
    expect(body.products).toHaveLength(3);
    // The id is a bare integer above 2^53, exactly as many digits as Shopify sends.
    expect(/"id":\d{18},/.test(page1.text)).toBe(true);
    expect(String(body.products[0].id)).toMatch(/^\d{18}$/);
    const next = /<([^>]+)>; rel="next"/.exec(page1.headers.get('link') ?? '')![1]!;
    const page2 = await fetch(next, { headers: { 'x-shopify-access-token': 't' } });
    const page2Body = parseLossless(await page2.text()) as Json;
    expect(page2Body.products).toHaveLength(3);
    expect(page2.headers.get('link')).toMatch(/rel="previous".*rel="next"/);
    const single = await rest(shop, `products/${String(body.products[1].id)}.json`);
    expect(single.text).toContain(`"id":${String(body.products[1].id)}`);
    expect((await rest(shop, 'products/count.json')).text).toBe('{"count":7}');

    const statuses: number[] = [];
    let throttled: Awaited<ReturnType<typeof rest>> | undefined;
    // The bucket leaks 2/s while the loop runs, so it keeps going until the 429 rather than counting to 41.
    for (let i = 0; i < 200 && !throttled; i++) {
      const answer = await rest(shop, 'products.json?limit=1');
      statuses.push(answer.status);
      if (answer.status === 429) throttled = answer;
    }
    expect(throttled).toBeDefined();
    expect(throttled!.headers.get('retry-after')).toMatch(/^\d+\.\d$/);
    expect(Number(throttled!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(JSON.parse(throttled!.text)).toEqual({
      errors:
        'Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.',
    });
    const stats = await control('GET', `/sim/admin/shops/${shop}/stats`);
    expect(stats.json.rest.throttled).toBe(1);
  });

  it('runs a bulk query to COMPLETED with a JSONL file of __parentId lines and a signed finish webhook', async () => {
    const shop = uniqueShop('bulk');
    await control('PUT', `/sim/admin/shops/${shop}`, { products: 30 });
    const started = await graphql(
      shop,
      `
        mutation ($q: String!) {
          bulkOperationRunQuery(query: $q) {
            bulkOperation {
              id
              status
            }
            userErrors {
              field
              message
              code
            }
          }
        }
      `,
      {
        q: `{ products { edges { node { id title variants { edges { node { id sku inventoryItem { id } } } } } } } }`,
      },
    );
    expect(started.json.data.bulkOperationRunQuery.userErrors).toEqual([]);
    const id = started.json.data.bulkOperationRunQuery.bulkOperation.id;
    expect(id).toMatch(/^gid:\/\/shopify\/BulkOperation\/\d+$/);
    let operation: Json;
    const deadline = Date.now() + 20_000;
    do {
      await new Promise((resolve) => setTimeout(resolve, 50));
      operation = (
        await graphql(
          shop,
          `
            query ($id: ID!) {
              bulkOperation(id: $id) {
                id
                status
                objectCount
                rootObjectCount
                fileSize
                url
                partialDataUrl
                errorCode
                completedAt
              }
            }
          `,
          { id },
        )
      ).json.data.bulkOperation;
    } while (operation.status !== 'COMPLETED' && Date.now() < deadline);
    expect(operation).toMatchObject({
      status: 'COMPLETED',
      objectCount: '180',
      rootObjectCount: '30',
      partialDataUrl: null,
      errorCode: null,
    });
    const current = await graphql(
      shop,
      `
        {
          currentBulkOperation {
            id
            status
          }
        }
      `,
    );
    expect(current.json.data.currentBulkOperation).toEqual({ id, status: 'COMPLETED' });

    const file = await fetch(operation.url);
    const text = await file.text();
    expect(Buffer.byteLength(text)).toBe(Number(operation.fileSize));
    const lines = text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Json);
    expect(lines).toHaveLength(180);
    const products = lines.filter((line) => !line.__parentId);
    const variants = lines.filter((line) => line.__parentId);
    expect(products).toHaveLength(30);
    expect(variants).toHaveLength(150);
    expect(products[0]).toEqual({
      id: expect.stringMatching(/Product/),
      title: expect.any(String),
    });
    expect(variants[0]).toMatchObject({
      __parentId: products[0].id,
      inventoryItem: { id: expect.any(String) },
    });
    expect(lines[1].__parentId).toBe(lines[0].id);

    const deadlineHook = Date.now() + 10_000;
    while (
      !receiver.received.some((r) => r.body.toString().includes(id)) &&
      Date.now() < deadlineHook
    )
      await new Promise((resolve) => setTimeout(resolve, 50));
    const hook = receiver.received.find((r) => r.body.toString().includes(id))!;
    expect(hook.headers['x-shopify-topic']).toBe('bulk_operations/finish');
    expect(hook.headers['x-shopify-shop-domain']).toBe(shop);
    expect(
      verifyWebhookHmac(hook.body, String(hook.headers['x-shopify-hmac-sha256']), [WEBHOOK_SECRET]),
    ).toBe(true);
    expect(JSON.parse(hook.body.toString())).toMatchObject({
      admin_graphql_api_id: id,
      status: 'completed',
      type: 'query',
      error_code: null,
    });
  });

  it('rejects invalid bulk queries and a second concurrent one before 2026-01', async () => {
    const shop = uniqueShop('bulk-limits');
    await control('PUT', `/sim/admin/shops/${shop}`, { products: 2000 });
    await control('PUT', '/sim/admin/bulk-settings', { objectsPerSecond: 500 });
    try {
      const run = (q: string, version: string) =>
        graphql(
          shop,
          `
            mutation ($q: String!) {
              bulkOperationRunQuery(query: $q) {
                bulkOperation {
                  id
                  status
                }
                userErrors {
                  field
                  message
                  code
                }
              }
            }
          `,
          { q },
          { version },
        );
      const deep = await run(
        `{ products { edges { node { id variants { edges { node { id inventoryItem { inventoryLevels { edges { node { id } } } } } } } } } } }`,
        '2025-10',
      );
      expect(deep.json.data.bulkOperationRunQuery.userErrors[0].message).toMatch(
        /nesting depth greater than 2/,
      );
      const noId = await run(
        `{ products { nodes { title variants { nodes { id } } } } }`,
        '2025-10',
      );
      expect(noId.json.data.bulkOperationRunQuery.userErrors[0].message).toMatch(
        /must select the 'id' field/,
      );

      const first = await run(`{ products { nodes { id } } }`, '2025-10');
      expect(first.json.data.bulkOperationRunQuery.userErrors).toEqual([]);
      const second = await run(`{ orders { nodes { id } } }`, '2025-10');
      expect(second.json.data.bulkOperationRunQuery).toMatchObject({
        bulkOperation: null,
        userErrors: [{ code: 'OPERATION_IN_PROGRESS' }],
      });
      // From 2026-01 up to five may run at once.
      const newer = await run(`{ orders { nodes { id } } }`, '2026-01');
      expect(newer.json.data.bulkOperationRunQuery.userErrors).toEqual([]);
      const cancel = await graphql(
        shop,
        `
          mutation ($id: ID!) {
            bulkOperationCancel(id: $id) {
              bulkOperation {
                status
              }
              userErrors {
                message
              }
            }
          }
        `,
        { id: first.json.data.bulkOperationRunQuery.bulkOperation.id },
      );
      expect(cancel.json.data.bulkOperationCancel.bulkOperation.status).toBe('CANCELING');
    } finally {
      await control('PUT', '/sim/admin/bulk-settings', { objectsPerSecond: 1_000_000 });
      expect((await control('DELETE', `/sim/admin/shops/${shop}`)).status).toBe(204);
    }
  });

  it('injects faults: a 5xx burst, dropped connections, latency; per shop', async () => {
    const shop = uniqueShop('faults');
    const other = uniqueShop('calm');
    try {
      await control('PUT', '/sim/admin/faults', { shop, errorBurst: 2, errorStatus: 502 });
      expect((await graphql(shop, '{ shop { id } }')).status).toBe(502);
      expect((await rest(shop, 'products/count.json')).status).toBe(502);
      expect((await graphql(other, '{ shop { id } }')).status).toBe(200);
      expect((await graphql(shop, '{ shop { id } }')).status).toBe(200);

      await control('PUT', '/sim/admin/faults', { shop, dropRate: 1 });
      await expect(graphql(shop, '{ shop { id } }')).rejects.toThrow();

      await control('PUT', '/sim/admin/faults', { shop, latencyMs: 300 });
      const startedAt = Date.now();
      expect((await graphql(shop, '{ shop { id } }')).status).toBe(200);
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(290);
    } finally {
      expect((await control('DELETE', '/sim/admin/faults')).status).toBe(204);
    }
    expect((await graphql(shop, '{ shop { id } }')).status).toBe(200);
  });

  it('counts requests and points on /metrics', async () => {
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(
      /shopify_sim_admin_requests_total\{api="graphql",outcome="throttled",service="shopify-sim"\} [1-9]/,
    );
    expect(metrics).toMatch(
      /shopify_sim_admin_graphql_points_total\{kind="refunded",service="shopify-sim"\} [1-9]/,
    );
  });
});
