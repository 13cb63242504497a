import { toShopifyJson } from './shopify-json.writer';

describe('toShopifyJson', () => {
  it('writes a BigInt id as a bare integer with every digit, which JSON.parse would round', () => {
    const body = toShopifyJson({
      id: 820982911946154508n,
      name: '#1001',
      total_price: '19.99',
    }).toString('utf8');
    expect(body).toBe('{"id":820982911946154508,"name":"#1001","total_price":"19.99"}');
    expect(String((JSON.parse(body) as { id: number }).id)).not.toBe('820982911946154508');
  });

  it('refuses an id that already lost precision as a JS number', () => {
    expect(() => toShopifyJson({ line_items: [{ id: 2 ** 60 }] })).toThrow(
      /\$\.line_items\[0\]\.id/,
    );
  });

  it('keeps small numbers, booleans and nulls as JSON does', () => {
    expect(toShopifyJson({ a: 1, b: 0.13, c: true, d: null, e: [] }).toString()).toBe(
      '{"a":1,"b":0.13,"c":true,"d":null,"e":[]}',
    );
  });
});
