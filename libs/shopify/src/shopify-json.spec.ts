import { parseShopifyJson, readPath, ShopifyJsonError, shopifyId } from './shopify-json';

describe('parseShopifyJson', () => {
  const text =
    '{"id":820982911946154508,"order_number":1001,"total_price":"199.65","customer":{"id":9007199254740993},"line_items":[{"id":466157049,"quantity":2}]}';

  it('keeps ids above 2^53 exact', () => {
    const parsed = parseShopifyJson(text);
    expect(shopifyId(readPath(parsed, 'id'))).toBe('820982911946154508');
    expect(shopifyId(readPath(parsed, 'customer.id'))).toBe('9007199254740993');
    // what JSON.parse would have done:
    expect(String(JSON.parse(text).id)).not.toBe('820982911946154508');
  });

  it('keeps safe numbers as numbers and money as strings', () => {
    const parsed = parseShopifyJson(text) as Record<string, unknown>;
    expect(parsed.order_number).toBe(1001);
    expect(parsed.total_price).toBe('199.65');
    expect(shopifyId((parsed.line_items as Array<{ id: number }>)[0].id)).toBe('466157049');
  });

  it('accepts a Buffer', () => {
    expect(shopifyId(readPath(parseShopifyJson(Buffer.from(text)), 'id'))).toBe(
      '820982911946154508',
    );
  });

  it.each(['', '{', '{"id":}', 'not json', '{"a":1}garbage'])('rejects %j', (bad) => {
    expect(() => parseShopifyJson(bad)).toThrow(ShopifyJsonError);
  });

  it('returns undefined for a path through a non-object', () => {
    expect(readPath(parseShopifyJson('{"customer":null}'), 'customer.id')).toBeUndefined();
    expect(readPath(parseShopifyJson('[1,2]'), 'id')).toBeUndefined();
  });

  it('does not treat fractions or booleans as ids', () => {
    expect(shopifyId(1.5)).toBeNull();
    expect(shopifyId(true)).toBeNull();
    expect(shopifyId('')).toBeNull();
  });
});
