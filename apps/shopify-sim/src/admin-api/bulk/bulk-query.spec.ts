import { buildSchema, print } from 'graphql';
import { ADMIN_SCHEMA_SDL } from '../graphql/admin-schema.graphql';
import { bulkLines } from './bulk-lines';
import { BulkQueryError, planBulkQuery } from './bulk-query';

const schema = buildSchema(ADMIN_SCHEMA_SDL);

describe('planBulkQuery', () => {
  it('pages the root connection by variables and reads nested connections in full', () => {
    const plan = planBulkQuery(
      schema,
      `{ products(query: "status:active", first: 3) { edges { node { id title variants(last: 2) { nodes { id } } } } } }`,
    );
    const text = print(plan.document);
    expect(text).toContain(
      'products(query: "status:active", first: $__simFirst, after: $__simAfter)',
    );
    expect(text).toContain('variants(first: 250)');
    expect(text).toContain('__simPageInfo: pageInfo');
    expect(plan.rootNode).toMatchObject({ key: 'node', viaEdges: 'edges' });
  });

  it.each([
    ['{ shop { id } }', /not a connection/],
    ['{ products { nodes { id } } orders { nodes { id } } }', /exactly one top-level/],
    ['{ products { nodes { title variants { nodes { id } } } } }', /must select the 'id' field/],
    [
      '{ products { nodes { id variants { nodes { id inventoryItem { inventoryLevels { nodes { id } } } } } } } }',
      /nesting depth greater than 2/,
    ],
    ['{ products { nodes { id nope } } }', /Invalid bulk query: Cannot query field "nope"/],
    ['mutation { tagsAdd(id: "x", tags: []) { node { id } } }', /must be queries/],
    ['{ products { nodes { id } ', /Invalid bulk query: Syntax Error/],
  ])('rejects %s', (query, message) => {
    expect(() => planBulkQuery(schema, query)).toThrow(BulkQueryError);
    expect(() => planBulkQuery(schema, query)).toThrow(message);
  });

  it('counts connections against the limit of five', () => {
    const many = `{ orders { nodes { id
      a: lineItems { nodes { id } } b: lineItems { nodes { id } } c: lineItems { nodes { id } }
      d: lineItems { nodes { id } } e: lineItems { nodes { id } } } } }`;
    expect(() => planBulkQuery(schema, many)).toThrow(/more than 5 connections/);
  });
});

describe('bulkLines', () => {
  it('puts each child of a nested connection on its own line with __parentId', () => {
    const plan = planBulkQuery(
      schema,
      `{ products { edges { node { id title variants { edges { node { id sku inventoryItem { id } } } } } } } }`,
    );
    const product = {
      id: 'gid://shopify/Product/1',
      title: 'Mug',
      variants: {
        edges: [
          {
            node: { id: 'gid://shopify/ProductVariant/10', sku: 'A', inventoryItem: { id: 'i10' } },
          },
          {
            node: { id: 'gid://shopify/ProductVariant/11', sku: 'B', inventoryItem: { id: 'i11' } },
          },
        ],
      },
    };
    const lines = [
      ...bulkLines(product, plan.rootNode.selectionSet, plan.rootNode.type, plan.fragments, null),
    ];
    expect(lines).toEqual([
      { id: 'gid://shopify/Product/1', title: 'Mug' },
      {
        id: 'gid://shopify/ProductVariant/10',
        sku: 'A',
        inventoryItem: { id: 'i10' },
        __parentId: 'gid://shopify/Product/1',
      },
      {
        id: 'gid://shopify/ProductVariant/11',
        sku: 'B',
        inventoryItem: { id: 'i11' },
        __parentId: 'gid://shopify/Product/1',
      },
    ]);
  });
});
