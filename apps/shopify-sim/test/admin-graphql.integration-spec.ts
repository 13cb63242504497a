import { signedPerShopifyDocs } from './support/shopify-doc-checks';
import {
  ADMIN_WEBHOOK_SECRET,
  startAdminSim,
  uniqueShop,
  type AdminSim,
  type Json,
} from './support/admin-sim';

describe('Admin API simulator: GraphQL (schema, cost, throttling, mutations) over real HTTP', () => {
  let sim: AdminSim;
  let control: AdminSim['control'];
  let graphql: AdminSim['graphql'];

  beforeAll(async () => {
    sim = await startAdminSim();
    ({ control, graphql } = sim);
  });

  afterAll(async () => {
    await sim?.close();
  });

  it('needs X-Shopify-Access-Token and a myshopify domain', async () => {
    const shop = uniqueShop('auth');
    const denied = await graphql(shop, '{ shop { name } }', undefined, { token: null });
    expect(denied.status).toBe(401);
    expect(denied.json).toEqual({
      errors: '[API] Invalid API key or access token (unrecognized login or wrong password)',
    });
    expect((await graphql('example.com', '{ shop { name } }')).status).toBe(404);
    expect(
      (await graphql(shop, '{ shop { name } }', undefined, { version: 'latest' })).status,
    ).toBe(404);
    const ok = await graphql(shop, '{ shop { name myshopifyDomain } }');
    expect(ok.json.data.shop.myshopifyDomain).toBe(shop);
    const raw = await fetch(`${sim.base}/shops/${shop}/admin/api/2026-10/graphql.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/graphql', 'x-shopify-access-token': 't' },
      body: '{ shop { myshopifyDomain } }',
    });
    expect(((await raw.json()) as Json).data.shop.myshopifyDomain).toBe(shop);
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
    // The change goes out as a signed products/update webhook, REST-shaped, the id a bare integer.
    const numericId = product.id.split('/').pop();
    const hook = await sim.webhook(
      (body, topic) => topic === 'products/update' && body.includes(`"id":${numericId},`),
    );
    expect(hook).toBeDefined();
    expect(
      signedPerShopifyDocs(hook!.body, String(hook!.headers['x-shopify-hmac-sha256']), [
        ADMIN_WEBHOOK_SECRET,
      ]),
    ).toBe(true);
    expect(hook!.body.toString()).toContain('"title":"Renamed","handle"');
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
    const itemNumericId = item.id.split('/').pop();
    const levelHook = await sim.webhook(
      (body, topic) =>
        topic === 'inventory_levels/update' &&
        body.includes(`"inventory_item_id":${itemNumericId},`),
    );
    expect(JSON.parse(levelHook!.body.toString())).toMatchObject({
      available: 77,
      admin_graphql_api_id: expect.stringMatching(
        /^gid:\/\/shopify\/InventoryLevel\/\d+\?inventory_item_id=\d+$/,
      ),
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

  it('counts requests and points on /metrics', async () => {
    const metrics = await (await fetch(`${sim.base}/metrics`)).text();
    expect(metrics).toMatch(
      /shopify_sim_admin_requests_total\{api="graphql",outcome="throttled",service="shopify-sim"\} [1-9]/,
    );
    expect(metrics).toMatch(
      /shopify_sim_admin_graphql_points_total\{kind="refunded",service="shopify-sim"\} [1-9]/,
    );
  });
});
