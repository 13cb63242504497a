import { Registry } from '@shopwire/observability';
import { AdminMetrics } from '../admin-metrics';
import { AdminShopsService } from '../shops/admin-shops.service';
import type { AdminContext, BulkOperationsPort } from './admin-context';
import { AdminGraphqlService } from './admin-graphql.service';

// Assertions read reply data freely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const noBulk: BulkOperationsPort = {
  runQuery: () => ({ bulkOperation: null, userErrors: [] }),
  cancel: () => ({ bulkOperation: null, userErrors: [] }),
  find: () => null,
  current: () => null,
};

describe('Admin GraphQL resolvers', () => {
  const now = Date.parse('2026-11-27T12:00:00Z');
  const shops = new AdminShopsService(
    {
      SIM_ADMIN_PRODUCTS: 40,
      SIM_ADMIN_ORDERS: 120,
      SIM_ADMIN_CUSTOMERS: 20,
      SIM_BULK_DIR: '/tmp',
    },
    () => now,
  );
  const service = new AdminGraphqlService(new AdminMetrics(new Registry()));
  const run = async (query: string, variables?: Record<string, unknown>) => {
    const state = shops.get('resolvers.myshopify.com');
    const context: AdminContext = {
      shop: state,
      store: state.store,
      apiVersion: '2026-10',
      baseUrl: 'http://sim',
      now: () => new Date(now),
      bulk: noBulk,
    };
    const reply = await service.run(context, { query, variables });
    if (reply.errors) throw new Error(JSON.stringify(reply.errors));
    return reply.data as Json;
  };

  it('filters orders by status and products by tag/status; reverses', async () => {
    const all = await run('{ orders(first: 120) { nodes { id cancelledAt } } }');
    const open = await run('{ orders(first: 120, query: "status:open") { nodes { id } } }');
    expect(open.orders.nodes).toHaveLength(
      all.orders.nodes.filter((order: Json) => order.cancelledAt === null).length,
    );
    const drafts = await run('{ products(first: 40, query: "status:draft") { nodes { status } } }');
    expect(drafts.products.nodes.every((p: Json) => p.status === 'DRAFT')).toBe(true);
    const forward = await run('{ products(first: 40) { nodes { id } } }');
    const backward = await run('{ products(first: 40, reverse: true) { nodes { id } } }');
    expect(backward.products.nodes).toEqual([...forward.products.nodes].reverse());
  });

  it('finds variants by sku and inventory levels by their composite gid', async () => {
    const { productVariants } = await run(
      '{ productVariants(first: 1, after: null) { nodes { sku inventoryItem { id inventoryLevels(first: 2) { nodes { id available } } } } } }',
    );
    const variant = productVariants.nodes[0];
    const bySku = await run(
      'query ($q: String) { productVariants(first: 5, query: $q) { nodes { sku } } }',
      {
        q: `sku:${variant.sku}`,
      },
    );
    expect(bySku.productVariants.nodes).toEqual([{ sku: variant.sku }]);
    const level = variant.inventoryItem.inventoryLevels.nodes[1];
    expect(level.id).toMatch(/^gid:\/\/shopify\/InventoryLevel\/\d{18}\?inventory_item_id=\d{18}$/);
    const found = await run('query ($id: ID!) { inventoryLevel(id: $id) { id available } }', {
      id: level.id,
    });
    expect(found.inventoryLevel).toEqual(level);
  });

  it('refuses a stale compare quantity and changes nothing', async () => {
    const data = await run(
      '{ inventoryItems(first: 1) { nodes { id inventoryLevels(first: 1) { nodes { available location { id } } } } } }',
    );
    const item = data.inventoryItems.nodes[0];
    const level = item.inventoryLevels.nodes[0];
    const mutation = `mutation ($input: InventorySetQuantitiesInput!) { inventorySetQuantities(input: $input) {
      inventoryAdjustmentGroup { changes { delta } } userErrors { code field } } }`;
    const line = { inventoryItemId: item.id, locationId: level.location.id, quantity: 5 };
    const stale = await run(mutation, {
      input: {
        name: 'available',
        reason: 'correction',
        ignoreCompareQuantity: false,
        quantities: [{ ...line, changeFromQuantity: level.available + 1 }],
      },
    });
    expect(stale.inventorySetQuantities).toEqual({
      inventoryAdjustmentGroup: null,
      userErrors: [
        { code: 'COMPARE_QUANTITY_STALE', field: ['input', 'quantities', '0', 'compareQuantity'] },
      ],
    });
    const fresh = await run(mutation, {
      input: {
        name: 'available',
        reason: 'correction',
        ignoreCompareQuantity: false,
        quantities: [{ ...line, compareQuantity: level.available }],
      },
    });
    expect(fresh.inventorySetQuantities.inventoryAdjustmentGroup.changes).toEqual([
      { delta: 5 - level.available },
    ]);
    const badReason = await run(mutation, {
      input: { name: 'available', reason: 'because', quantities: [line] },
    });
    expect(badReason.inventorySetQuantities.userErrors[0].code).toBe('INVALID_REASON');
  });

  it('counts, exactly up to the limit', async () => {
    const data =
      await run(`{ all: productsCount { count precision } capped: productsCount(limit: 25) { count precision }
      open: ordersCount(query: "status:open") { count } orders: ordersCount { count } }`);
    expect(data.all).toEqual({ count: 40, precision: 'EXACT' });
    expect(data.capped).toEqual({ count: 25, precision: 'AT_LEAST' });
    expect(data.orders.count).toBe(120);
    expect(data.open.count).toBeLessThanOrEqual(120);
  });

  it('reports connection argument errors as GraphQL errors', async () => {
    await expect(run('{ products { nodes { id } } }')).rejects.toThrow(/first or last/);
    await expect(
      run('{ orders(first: 1, query: "updated_at:>soon") { nodes { id } } }'),
    ).rejects.toThrow(/not a date/);
  });
});
