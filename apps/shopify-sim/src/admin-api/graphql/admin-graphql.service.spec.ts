import { Registry } from '@shopwire/observability';
import { AdminMetrics } from '../admin-metrics';
import { AdminShopsService } from '../shops/admin-shops.service';
import type { AdminContext, BulkOperationsPort } from './admin-context';
import { AdminGraphqlService } from './admin-graphql.service';

const noBulk: BulkOperationsPort = {
  runQuery: () => ({ bulkOperation: null, userErrors: [] }),
  cancel: () => ({ bulkOperation: null, userErrors: [] }),
  find: () => null,
  current: () => null,
};

describe('AdminGraphqlService (cost, bucket and refunds on a fake clock)', () => {
  let now: number;
  let shops: AdminShopsService;
  let service: AdminGraphqlService;
  const context = (shop: string): AdminContext => {
    const state = shops.get(shop);
    return {
      shop: state,
      store: state.store,
      apiVersion: '2026-10',
      baseUrl: 'http://sim',
      now: () => new Date(now),
      bulk: noBulk,
    };
  };

  beforeEach(() => {
    now = Date.parse('2026-11-27T12:00:00Z');
    shops = new AdminShopsService(
      {
        SIM_ADMIN_PRODUCTS: 10_000,
        SIM_ADMIN_ORDERS: 100,
        SIM_ADMIN_CUSTOMERS: 10,
        SIM_BULK_DIR: '/tmp',
      },
      () => now,
    );
    service = new AdminGraphqlService(new AdminMetrics(new Registry()));
  });

  // 2 + 199 × (1 + 2 + 3) = 1196 points.
  const heavy = '{ products(first: 199) { nodes { id variants(first: 3) { nodes { id } } } } }';

  it('reserves the requested cost, throttles when it does not fit, and restores with time', async () => {
    // 2 + 166 × 6 = 998 points, all used on a 10,000-product shop.
    const query = '{ products(first: 166) { nodes { id variants(first: 3) { nodes { id } } } } }';
    const shop = 'clock.myshopify.com';
    expect((await service.run(context(shop), { query })).extensions.cost).toEqual({
      requestedQueryCost: 998,
      actualQueryCost: 998,
      throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 1002, restoreRate: 100 },
    });
    await service.run(context(shop), { query });
    const throttled = await service.run(context(shop), { query });
    expect(throttled.errors).toEqual([
      {
        message: 'Throttled',
        extensions: { code: 'THROTTLED', documentation: expect.any(String) },
      },
    ]);
    expect(throttled.data).toBeUndefined();
    expect(throttled.extensions.cost).toMatchObject({
      actualQueryCost: null,
      throttleStatus: { currentlyAvailable: 4 },
    });
    now += 9_930; // 4 + 99.3 × 100 = 997 points: still one short
    expect((await service.run(context(shop), { query })).errors).toBeDefined();
    now += 10;
    expect((await service.run(context(shop), { query })).errors).toBeUndefined();
    expect(shops.stats(shop).graphql).toMatchObject({
      requests: 5,
      throttled: 2,
      pointsUsed: 2994,
    });
  });

  it('refunds what a query did not use', async () => {
    const shop = 'refund.myshopify.com';
    shops.configure(shop, { products: 3 });
    const reply = await service.run(context(shop), {
      query: '{ products(first: 100) { nodes { id variants(first: 5) { nodes { id } } } } }',
    });
    // requested 2 + 100 × (1 + 2 + 5) = 802; actual 2 + 3 × 8 = 26.
    expect(reply.extensions.cost).toEqual({
      requestedQueryCost: 802,
      actualQueryCost: 26,
      throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 1974, restoreRate: 100 },
    });
    expect(shops.stats(shop).graphql).toMatchObject({ pointsUsed: 26, pointsRefunded: 776 });
  });

  it('refuses a query over 1000 before reserving anything', async () => {
    const shop = 'max.myshopify.com';
    const reply = await service.run(context(shop), { query: heavy });
    expect(reply.errors?.[0]).toMatchObject({
      extensions: { code: 'MAX_COST_EXCEEDED', cost: 1196, maxCost: 1000 },
    });
    expect(reply.extensions.cost.throttleStatus.currentlyAvailable).toBe(2000);
  });

  it('charges a variable left to its default at that default', async () => {
    const reply = await service.run(context('defaults.myshopify.com'), {
      query: 'query ($n: Int = 30) { products(first: $n) { nodes { id } } }',
    });
    expect(reply.extensions.cost.requestedQueryCost).toBe(32);
    const wrong = await service.run(context('defaults.myshopify.com'), {
      query: 'query ($n: Int!) { products(first: $n) { nodes { id } } }',
      variables: { n: 'many' },
    });
    expect(wrong.errors?.[0]).toMatchObject({ message: expect.stringContaining('$n') });
  });

  it('answers syntax and validation errors with a zero cost', async () => {
    const reply = await service.run(context('bad.myshopify.com'), {
      query: '{ products(first: 1) { nope } }',
    });
    expect(reply.errors?.[0]).toMatchObject({ message: expect.stringContaining('nope') });
    expect(reply.extensions.cost).toMatchObject({ requestedQueryCost: 0, actualQueryCost: 0 });
  });
});
