import { jsonIdField, rawJsonField } from './json-field';
import { parseShopifyJson, readPath, shopifyId } from './shopify-json';

describe('rawJsonField / jsonIdField', () => {
  const order =
    '{ "name":"#1001", "line_items":[{"id":1,"nested":{"id":2}},"}\\"{"], "note":"has \\"id\\": 5 inside",' +
    ' "customer" : { "email":"a@b.c", "id" : 9007199254740993 }, "id":820982911946154508 }';

  it('finds the top-level id past nested ids, brackets inside strings and escapes', () => {
    expect(jsonIdField(order, ['id'])).toBe('820982911946154508');
  });

  it('follows a nested path', () => {
    expect(jsonIdField(order, ['customer', 'id'])).toBe('9007199254740993');
    expect(rawJsonField(order, ['customer', 'email'])).toBe('"a@b.c"');
  });

  it('reads string ids and rejects non-id values', () => {
    expect(
      jsonIdField('{"admin_graphql_api_id":"gid://shopify/BulkOperation/1"}', [
        'admin_graphql_api_id',
      ]),
    ).toBe('gid://shopify/BulkOperation/1');
    expect(jsonIdField('{"id":1.5}', ['id'])).toBeNull();
    expect(jsonIdField('{"id":null}', ['id'])).toBeNull();
    expect(jsonIdField('{"id":""}', ['id'])).toBeNull();
    expect(jsonIdField('{"other":1}', ['id'])).toBeNull();
    expect(jsonIdField('[{"id":1}]', ['id'])).toBeNull();
    expect(jsonIdField('{"customer":null}', ['customer', 'id'])).toBeNull();
  });

  it('handles escaped key names', () => {
    expect(jsonIdField('{"i\\u0064":42}', ['id'])).toBe('42');
  });

  it('agrees with a full lossless parse on generated documents', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const value = (depth: number): string => {
      const r = random();
      if (depth > 3 || r < 0.3) return String(BigInt(Math.floor(random() * 2 ** 53)) * 1000n + 7n);
      if (r < 0.45) return JSON.stringify(`s"}{][,${Math.floor(random() * 100)}\\`);
      if (r < 0.55) return ['true', 'false', 'null'][Math.floor(random() * 3)];
      if (r < 0.75)
        return `[${Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1)).join(', ')}]`;
      return object(depth + 1);
    };
    const object = (depth: number): string => {
      const keys = ['id', 'customer', 'x', 'line_items'].filter(() => random() < 0.6);
      return `{${keys.map((k) => `"${k}" : ${value(depth)}`).join(' ,\n')}}`;
    };
    for (let n = 0; n < 500; n++) {
      const text = object(0);
      JSON.parse(text); // valid by construction
      for (const path of [['id'], ['customer', 'id']]) {
        const expected = shopifyId(readPath(parseShopifyJson(text), path.join('.')));
        expect(jsonIdField(text, path)).toBe(expected);
      }
    }
  });
});
