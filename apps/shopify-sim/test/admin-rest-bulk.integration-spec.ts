import { signedPerShopifyDocs } from './support/shopify-doc-checks';
import { parse as parseLossless } from 'lossless-json';
import {
  ADMIN_WEBHOOK_SECRET,
  sleep,
  startAdminSim,
  uniqueShop,
  type AdminSim,
  type Json,
} from './support/admin-sim';

describe('Admin API simulator: REST bucket, bulk operations and faults over real HTTP', () => {
  let sim: AdminSim;
  let control: AdminSim['control'];
  let graphql: AdminSim['graphql'];
  let rest: AdminSim['rest'];

  beforeAll(async () => {
    sim = await startAdminSim();
    ({ control, graphql, rest } = sim);
  });

  afterAll(async () => {
    await sim?.close();
  });

  it('REST: call-limit header, 429 with a fractional Retry-After past 40, Link cursors, big ids intact', async () => {
    const shop = uniqueShop('rest');
    await control('PUT', `/sim/admin/shops/${shop}`, { products: 7 });
    const page1 = await rest(shop, 'products.json?limit=3');
    expect(page1.status).toBe(200);
    expect(page1.headers.get('x-shopify-shop-api-call-limit')).toBe('1/40');
    expect(page1.headers.get('x-shopify-api-version')).toBe('2026-10');
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
    const since = await rest(shop, `products.json?since_id=${String(body.products[1].id)}`);
    expect((parseLossless(since.text) as Json).products).toHaveLength(5);

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

    const hook = (await sim.webhook((body) => body.includes(id)))!;
    expect(hook.headers['x-shopify-topic']).toBe('bulk_operations/finish');
    expect(hook.headers['x-shopify-shop-domain']).toBe(shop);
    expect(
      signedPerShopifyDocs(hook.body, String(hook.headers['x-shopify-hmac-sha256']), [
        ADMIN_WEBHOOK_SECRET,
      ]),
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
    await sim.bulkSettings(500);
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
      const canceledId = first.json.data.bulkOperationRunQuery.bulkOperation.id;
      const hook = await sim.webhook((body) => body.includes(canceledId));
      expect(JSON.parse(hook!.body.toString())).toMatchObject({ status: 'canceled' });
      const canceled = await graphql(
        shop,
        `
          query ($id: ID!) {
            bulkOperation(id: $id) {
              status
              url
            }
          }
        `,
        {
          id: canceledId,
        },
      );
      expect(canceled.json.data.bulkOperation).toEqual({ status: 'CANCELED', url: null });
    } finally {
      await sim.bulkSettings(1_000_000);
      expect((await control('DELETE', `/sim/admin/shops/${shop}`)).status).toBe(204);
    }
  });

  it('expires the oldest results past ten per shop (EXPIRED, file gone)', async () => {
    const shop = uniqueShop('bulk-expiry');
    await control('PUT', `/sim/admin/shops/${shop}`, { products: 2 });
    const runToCompletion = async () => {
      const started = await graphql(
        shop,
        `
          mutation {
            bulkOperationRunQuery(query: "{ products { nodes { id } } }") {
              bulkOperation {
                id
              }
              userErrors {
                message
              }
            }
          }
        `,
      );
      const id = started.json.data.bulkOperationRunQuery.bulkOperation.id as string;
      const deadline = Date.now() + 10_000;
      for (;;) {
        const reply = await graphql(
          shop,
          `
            query ($id: ID!) {
              bulkOperation(id: $id) {
                status
                url
              }
            }
          `,
          { id },
        );
        const operation = reply.json.data.bulkOperation;
        if (operation.status === 'COMPLETED' || Date.now() > deadline)
          return { id, url: operation.url as string };
        await sleep(20);
      }
    };
    const first = await runToCompletion();
    expect((await fetch(first.url)).status).toBe(200);
    for (let i = 0; i < 10; i++) await runToCompletion();
    const expired = await graphql(
      shop,
      `
        query ($id: ID!) {
          bulkOperation(id: $id) {
            status
            url
          }
        }
      `,
      {
        id: first.id,
      },
    );
    expect(expired.json.data.bulkOperation).toEqual({ status: 'EXPIRED', url: null });
    expect((await fetch(first.url)).status).toBe(404);
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
});
