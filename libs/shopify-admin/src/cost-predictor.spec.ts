import {
  CostPredictionError,
  CostPredictor,
  predictQueryCost,
  queryShapeKey,
} from './cost-predictor';

describe('predictQueryCost', () => {
  it('charges 1 per object and nothing for scalars', () => {
    expect(predictQueryCost('{ shop { id name } }')).toBe(1);
    expect(predictQueryCost('{ shop { id primaryDomain { host } } }')).toBe(2);
    expect(predictQueryCost('{ __typename }')).toBe(0);
  });

  it('charges a connection 2 + n × one node, edges/node and nodes alike', () => {
    expect(predictQueryCost('{ products(first: 10) { edges { node { id title } } } }')).toBe(12);
    expect(
      predictQueryCost('{ products(first: 10) { nodes { id } pageInfo { hasNextPage } } }'),
    ).toBe(12);
    expect(predictQueryCost('{ products(last: 3) { edges { cursor } } }')).toBe(5);
  });

  it('multiplies nested connections', () => {
    const query = `query Page($n: Int!, $after: String) {
      products(first: $n, after: $after) {
        edges { cursor node { id title variants(first: 5) { edges { node { id sku } } } } }
        pageInfo { hasNextPage endCursor }
      }
    }`;
    // 2 + 100 × (1 + (2 + 5 × 1))
    expect(predictQueryCost(query, { n: 100, after: 'abc' })).toBe(802);
  });

  it('sizes a plain list of objects by its ids', () => {
    expect(
      predictQueryCost('{ nodes(ids: ["a", "b", "c"]) { id ... on Product { title } } }'),
    ).toBe(3);
    expect(
      predictQueryCost('query($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids: ['a', 'b'] }),
    ).toBe(2);
  });

  it('charges both edges and nodes when both are selected', () => {
    expect(predictQueryCost('{ products(first: 10) { edges { node { id } } nodes { id } } }')).toBe(
      22,
    );
  });

  it('charges a mutation field 10 plus its selection', () => {
    expect(
      predictQueryCost(`mutation { productUpdate(input: {id: "gid://shopify/Product/1", title: "x"}) {
        product { id } userErrors { field message } } }`),
    ).toBe(12);
  });

  it('takes the dearest of alternative fragments and spreads named ones', () => {
    const query = `query { node(id: "x") { id ...P ... on Order { customer { id } lineItems(first: 5) { nodes { id } } } } }
      fragment P on Product { featuredImage { url } }`;
    // node 1 + max(P: 1, Order: 1 + 7)
    expect(predictQueryCost(query)).toBe(9);
  });

  it('rejects what does not parse or spreads itself', () => {
    expect(() => predictQueryCost('{ products(')).toThrow(CostPredictionError);
    expect(() => predictQueryCost('{ shop { ...A } } fragment A on Shop { ...A }')).toThrow(
      /spreads itself/,
    );
  });
});

describe('CostPredictor', () => {
  const query =
    'query($n: Int!, $after: String) { products(first: $n, after: $after) { nodes { id } } }';

  it('prefers what Shopify said for the same shape, cursors aside', () => {
    const predictor = new CostPredictor();
    expect(predictor.predict(query, { n: 10 })).toBe(12);
    predictor.learn(query, { n: 10, after: null }, 20);
    expect(predictor.predict(query, { n: 10, after: 'next-page' })).toBe(20);
    expect(predictor.predict(query, { n: 50 })).toBe(52);
  });

  it('uses the caller estimate until a reply teaches it', () => {
    const predictor = new CostPredictor();
    expect(predictor.predict(query, { n: 10 }, 99)).toBe(99);
    predictor.learn(query, { n: 10 }, 12);
    expect(predictor.predict(query, { n: 10 }, 99)).toBe(12);
  });

  it('forgets the least recently used shape beyond its bound', () => {
    const predictor = new CostPredictor(2);
    predictor.learn('{ a { id } }', undefined, 100);
    predictor.learn('{ b { id } }', undefined, 100);
    predictor.predict('{ a { id } }');
    predictor.learn('{ c { id } }', undefined, 100);
    expect(predictor.predict('{ a { id } }')).toBe(100);
    expect(predictor.predict('{ b { id } }')).toBe(1);
  });

  it('keys shapes by query and numeric variables only', () => {
    expect(queryShapeKey('q', { after: 'x' })).toBe('q');
    expect(queryShapeKey('q', { b: 2, a: 1 })).toBe(queryShapeKey('q', { a: 1, b: 2, c: 's' }));
  });
});
