import {
  assertCacheable,
  CacheError,
  CacheErrorCode,
  ForbiddenNamespaceError,
  jitteredTtl,
  namespacePolicy,
} from './namespaces';
import { entryKeys } from './keys';

describe('namespaces', () => {
  it.each([
    'inventory-levels',
    'inventory_levels',
    'inventory',
    'order-status',
    'orders',
    'Order_Status',
  ])('refuses %s with a typed error', (namespace) => {
    expect(() => assertCacheable(namespace)).toThrow(ForbiddenNamespaceError);
    try {
      namespacePolicy(namespace);
    } catch (error) {
      expect((error as CacheError).code).toBe(CacheErrorCode.ForbiddenNamespace);
    }
  });

  it('refuses a namespace it does not know', () => {
    expect(() => assertCacheable('customers')).toThrow(CacheError);
  });

  it('accepts the catalog, metafields, store config and pricing rules', () => {
    for (const ns of ['products', 'variants', 'metafields', 'store-config', 'pricing-rules'])
      expect(namespacePolicy(ns).namespace).toBe(ns);
  });

  it('jitters a TTL upwards by at most the fraction', () => {
    expect(jitteredTtl(1000, 0.1, () => 0)).toBe(1000);
    expect(jitteredTtl(1000, 0.1, () => 0.999)).toBe(1100);
  });

  it('builds keys as <prefix>:<namespace>:<shop>:<id>, generation and lock beside', () => {
    expect(
      entryKeys('shopwire:cache', 'products', 'a.myshopify.com', '820982911946154508'),
    ).toEqual({
      value: 'shopwire:cache:products:a.myshopify.com:820982911946154508',
      generation: 'shopwire:cache:products:a.myshopify.com:820982911946154508#gen',
      lock: 'shopwire:cache:products:a.myshopify.com:820982911946154508#lock',
    });
  });
});
