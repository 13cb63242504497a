import { isBigintId, itemLock, LockClass, orderLock, skuLock } from './inventory.locks';

describe('inventory lock keys', () => {
  it('name the shop and the thing, in classes taken order < item < sku', () => {
    expect(orderLock('a.myshopify.com', '42')).toEqual({
      cls: LockClass.order,
      key: 'order:a.myshopify.com:42',
    });
    expect(itemLock('a.myshopify.com', '7')).toEqual({
      cls: LockClass.item,
      key: 'item:a.myshopify.com:7',
    });
    expect(skuLock('a.myshopify.com', 'TEE-1:RED')).toEqual({
      cls: LockClass.sku,
      key: 'sku:a.myshopify.com:TEE-1:RED',
    });
    expect(LockClass.order).toBeLessThan(LockClass.item);
    expect(LockClass.item).toBeLessThan(LockClass.sku);
  });

  it('looks up only ids a Postgres bigint can hold', () => {
    expect(isBigintId('9223372036854775807')).toBe(true);
    expect(isBigintId('9223372036854775808')).toBe(false);
    expect(isBigintId('12a')).toBe(false);
    expect(isBigintId('')).toBe(false);
  });
});
