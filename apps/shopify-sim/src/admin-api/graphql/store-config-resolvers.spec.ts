import { Registry } from '@shopwire/observability';
import { buildSchema, parse } from 'graphql';
import { AdminMetrics } from '../admin-metrics';
import { AdminShopsService } from '../shops/admin-shops.service';
import type { AdminContext, BulkOperationsPort } from './admin-context';
import { AdminGraphqlService } from './admin-graphql.service';
import { ADMIN_SCHEMA_SDL } from './admin-schema.graphql';
import { requestedQueryCost } from './query-cost';

// Assertions read reply data freely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const noBulk: BulkOperationsPort = {
  runQuery: () => ({ bulkOperation: null, userErrors: [] }),
  cancel: () => ({ bulkOperation: null, userErrors: [] }),
  find: () => null,
  current: () => null,
};

// The data the catalog cache reads besides products: the shop, product metafields, discounts.
describe('Admin GraphQL: shop, metafields and discounts', () => {
  const now = Date.parse('2026-11-27T12:00:00Z');
  const shops = new AdminShopsService(
    { SIM_ADMIN_PRODUCTS: 10, SIM_ADMIN_ORDERS: 5, SIM_ADMIN_CUSTOMERS: 5, SIM_BULK_DIR: '/tmp' },
    () => now,
  );
  const service = new AdminGraphqlService(new AdminMetrics(new Registry()));
  const changed: number[] = [];
  const run = async (query: string, variables?: Record<string, unknown>) => {
    const state = shops.get('extras-shop.myshopify.com');
    const context: AdminContext = {
      shop: state,
      store: state.store,
      apiVersion: '2026-10',
      baseUrl: 'http://sim',
      now: () => new Date(now),
      bulk: noBulk,
      changes: {
        productChanged: (_shop, index) => changed.push(index),
        inventoryChanged: () => undefined,
      },
    };
    const reply = await service.run(context, { query, variables });
    if (reply.errors) throw new Error(JSON.stringify(reply.errors));
    return reply.data as Json;
  };
  const cost = (query: string, variables: Record<string, unknown> = {}) =>
    requestedQueryCost(buildSchema(ADMIN_SCHEMA_SDL), parse(query), variables);

  it('answers the shop’s settings', async () => {
    const { shop } = await run(
      '{ shop { name myshopifyDomain currencyCode ianaTimezone weightUnit taxesIncluded plan { displayName } } }',
    );
    expect(shop.myshopifyDomain).toBe('extras-shop.myshopify.com');
    expect(shop.name).toBe('Extras Shop');
    expect(['POUNDS', 'KILOGRAMS']).toContain(shop.weightUnit);
    expect(typeof shop.taxesIncluded).toBe('boolean');
  });

  it('lists a product’s metafields with ids above 2^53, filtered by namespace', async () => {
    const query = `query ($id: ID!, $ns: String) { product(id: $id) {
      metafields(first: 10, namespace: $ns) { nodes { legacyResourceId namespace key type value } } } }`;
    expect(cost(query, { id: 'gid://shopify/Product/1' })).toBe(1 + 2 + 10);
    const { products } = await run('{ products(first: 1) { nodes { id } } }');
    const id = products.nodes[0].id;
    const all = (await run(query, { id })).product.metafields.nodes;
    expect(all.length).toBeGreaterThanOrEqual(2);
    expect(all[0]).toMatchObject({ namespace: 'custom', key: 'material' });
    expect(BigInt(all[0].legacyResourceId)).toBeGreaterThan(2n ** 53n);
    const custom = (await run(query, { id, ns: 'custom' })).product.metafields.nodes;
    expect(custom.every((m: Json) => m.namespace === 'custom')).toBe(true);
  });

  it('metafieldsSet updates a value in place, adds a new one and announces a product change', async () => {
    const { products } = await run('{ products(first: 2) { nodes { id updatedAt } } }');
    const product = products.nodes[1];
    const set = `mutation ($m: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $m) {
      metafields { legacyResourceId key value } userErrors { code field } } }`;
    const before = (
      await run(
        'query ($id: ID!) { product(id: $id) { metafields(first: 10) { nodes { legacyResourceId key } } } }',
        { id: product.id },
      )
    ).product.metafields.nodes;
    const reply = await run(set, {
      m: [
        { ownerId: product.id, namespace: 'custom', key: 'material', value: 'Hemp' },
        {
          ownerId: product.id,
          namespace: 'custom',
          key: 'origin',
          type: 'single_line_text_field',
          value: 'Porto',
        },
      ],
    });
    expect(reply.metafieldsSet.userErrors).toEqual([]);
    expect(reply.metafieldsSet.metafields[0].legacyResourceId).toBe(before[0].legacyResourceId);
    const after = (
      await run(
        'query ($id: ID!) { product(id: $id) { updatedAt metafields(first: 10) { nodes { key value } } } }',
        { id: product.id },
      )
    ).product;
    expect(after.metafields.nodes).toEqual(
      expect.arrayContaining([
        { key: 'material', value: 'Hemp' },
        { key: 'origin', value: 'Porto' },
      ]),
    );
    expect(after.updatedAt > product.updatedAt).toBe(true);
    expect(changed).toContain(1);
    const bad = await run(set, {
      m: [{ ownerId: 'gid://shopify/Product/1', namespace: 'custom', key: 'x', value: 'v' }],
    });
    expect(bad.metafieldsSet.metafields).toBeNull();
    expect(bad.metafieldsSet.userErrors.map((e: Json) => e.code)).toEqual(['INVALID', 'INVALID']);
    // No room for seven more: refused whole, nothing written.
    const crowded = await run(set, {
      m: Array.from({ length: 7 }, (_, i) => ({
        ownerId: product.id,
        namespace: 'extra',
        key: `k${i}`,
        value: 'v',
      })),
    });
    expect(crowded.metafieldsSet.metafields).toBeNull();
    const unchanged = await run(
      'query ($id: ID!) { product(id: $id) { metafields(first: 10, namespace: "extra") { nodes { key } } } }',
      { id: product.id },
    );
    expect(unchanged.product.metafields.nodes).toEqual([]);
  });

  it('lists discounts of both kinds with their state, filters them, and updates an automatic one', async () => {
    const query = `query ($q: String) { discountNodes(first: 10, query: $q) { nodes { id discount {
      __typename
      ... on DiscountAutomaticBasic { title status customerGets { value {
        ... on DiscountPercentage { percentage } ... on DiscountAmount { amount { amount currencyCode } } } } }
      ... on DiscountCodeBasic { title status codes(first: 1) { nodes { code } } } } } } }`;
    // 2 + 10 × (node 1 + discount 1 + the dearer member: code basic's codes connection 2 + 1)
    expect(cost(query)).toBe(2 + 10 * (1 + 1 + 3));
    const all = (await run(query)).discountNodes.nodes;
    expect(all).toHaveLength(5);
    expect(all.map((n: Json) => n.discount.status).sort()).toEqual([
      'ACTIVE',
      'ACTIVE',
      'ACTIVE',
      'EXPIRED',
      'SCHEDULED',
    ]);
    const code = all.find((n: Json) => n.discount.__typename === 'DiscountCodeBasic');
    expect(code.id).toMatch(/^gid:\/\/shopify\/DiscountCodeNode\/\d{18}$/);
    expect(code.discount.codes.nodes[0].code).toMatch(/^[A-Z0-9]+$/);
    const active = (await run(query, { q: 'status:active method:automatic' })).discountNodes.nodes;
    expect(active).toHaveLength(2);
    const update = await run(
      `mutation ($id: ID!) { discountAutomaticBasicUpdate(id: $id, automaticBasicDiscount: { title: "Ten off" }) {
        automaticDiscountNode { id automaticDiscount { ... on DiscountAutomaticBasic { title } } } userErrors { message } } }`,
      { id: active[0].id },
    );
    expect(update.discountAutomaticBasicUpdate.automaticDiscountNode).toEqual({
      id: active[0].id,
      automaticDiscount: { title: 'Ten off' },
    });
    const again = await run(
      'query ($id: ID!) { discountNode(id: $id) { discount { ... on DiscountAutomaticBasic { title } } } }',
      {
        id: active[0].id,
      },
    );
    expect(again.discountNode.discount.title).toBe('Ten off');
    const wrong = await run(
      `mutation ($id: ID!) { discountAutomaticBasicUpdate(id: $id, automaticBasicDiscount: { title: "x" }) { userErrors { message } } }`,
      { id: code.id },
    );
    expect(wrong.discountAutomaticBasicUpdate.userErrors[0].message).toMatch(/does not exist/);
  });
});
