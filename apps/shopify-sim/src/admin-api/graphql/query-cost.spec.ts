import { buildSchema, parse } from 'graphql';
import { ADMIN_SCHEMA_SDL } from './admin-schema.graphql';
import { requestedQueryCost } from './query-cost';

const schema = buildSchema(ADMIN_SCHEMA_SDL);
const cost = (query: string, variables?: Record<string, unknown>, operationName?: string) =>
  requestedQueryCost(schema, parse(query), variables, operationName);

describe('requestedQueryCost (Shopify calculated query cost)', () => {
  it('charges an object 1 and its scalars nothing (docs: shop with scalar fields costs 1)', () => {
    expect(cost('{ shop { id name email myshopifyDomain currencyCode } }')).toBe(1);
    expect(cost('{ shop { plan { displayName } } }')).toBe(2);
  });

  it('charges a connection 2 plus first x the cost of a node', () => {
    expect(cost('{ orders(first: 5) { edges { node { id name } } } }')).toBe(2 + 5 * 1);
    expect(cost('{ products(last: 50) { nodes { id } pageInfo { hasNextPage } } }')).toBe(52);
  });

  it('multiplies nested connections (products x variants)', () => {
    const query = `{ products(first: 10) { edges { node { title
      variants(first: 5) { edges { node { title } } } } } } }`;
    // 2 + 10 x (product 1 + variants (2 + 5 x 1))
    expect(cost(query)).toBe(82);
  });

  it('counts an object under each node (docs forum example: 250 variants with items = 503)', () => {
    const query = `query ($id: ID!) { product(id: $id) { variants(first: 250) {
      nodes { inventoryItem { id tracked } } } } }`;
    expect(cost(query, { id: 'gid://shopify/Product/1' })).toBe(1 + 2 + 250 * 2);
  });

  it('reads first from variables and honours @skip/@include', () => {
    const query = `query ($n: Int!, $withVariants: Boolean!) { products(first: $n) { nodes { id
      variants(first: 3) @include(if: $withVariants) { nodes { id } } } } }`;
    expect(cost(query, { n: 20, withVariants: false })).toBe(22);
    expect(cost(query, { n: 20, withVariants: true })).toBe(2 + 20 * (1 + 2 + 3));
  });

  it('follows fragments, and an abstract type costs its most expensive member', () => {
    const query = `query { node(id: "gid://shopify/Product/1") {
      ... on Product { variants(first: 10) { nodes { id } } }
      ... on Order { ...orderBits } } }
      fragment orderBits on Order { customer { id } }`;
    expect(cost(query)).toBe(1 + 12);
    expect(cost('{ nodes(ids: ["a", "b", "c"]) { id } }')).toBe(3);
  });

  it('sizes a list by the argument naming its members', () => {
    const query = `{ inventoryLevel(id: "x") { quantities(names: ["available", "committed"]) { name quantity } } }`;
    expect(cost(query)).toBe(1 + 2);
  });

  it('charges a mutation 10, its payload objects nothing, and connections inside it as usual', () => {
    expect(
      cost(`mutation { productUpdate(input: {id: "x", title: "t"}) { product { id title }
        userErrors { field message } } }`),
    ).toBe(10);
    expect(
      cost(`mutation { productUpdate(input: {id: "x"}) { product { variants(first: 5) {
        nodes { id inventoryItem { id } } } } } }`),
    ).toBe(10 + 2 + 5 * 2);
    expect(
      cost(`mutation { a: tagsAdd(id: "x", tags: ["t"]) { node { id } }
        b: tagsAdd(id: "y", tags: ["t"]) { node { id } } }`),
    ).toBe(20);
  });

  it('picks the named operation', () => {
    const document = `query A { shop { id } } query B { products(first: 2) { nodes { id } } }`;
    expect(cost(document, {}, 'B')).toBe(4);
    expect(() => cost(document)).toThrow(/operation name/);
  });
});
