import { IdScheme, parseGid } from './id-scheme';
import { ShopStore, VARIANTS_PER_PRODUCT } from './shop-store';

const anchor = new Date('2026-11-27T00:00:00Z');
const sizes = { products: 10_000, orders: 2_000, customers: 500 };

describe('ShopStore (seeded, lazy)', () => {
  it('generates the same records from the same shop domain, different ones for another', () => {
    const a = new ShopStore('alpha.myshopify.com', sizes, anchor);
    const again = new ShopStore('alpha.myshopify.com', sizes, anchor);
    const other = new ShopStore('beta.myshopify.com', sizes, anchor);
    expect(again.product(9_999)).toEqual(a.product(9_999));
    expect(again.order(1_234)).toEqual(a.order(1_234));
    expect(again.variant(49_999)).toEqual(a.variant(49_999));
    expect(other.product(9_999).id).not.toBe(a.product(9_999).id);
  });

  it('keeps every id above 2^53 and maps ids back to records without generating them all', () => {
    const store = new ShopStore('ids.myshopify.com', sizes, anchor);
    const last = store.variant(sizes.products * VARIANTS_PER_PRODUCT - 1);
    expect(last.id > 2n ** 53n).toBe(true);
    expect(store.variantIndex(last.id)).toBe(49_999);
    expect(store.inventoryItemIndex(last.inventoryItemId)).toBe(49_999);
    expect(store.productIndex(last.id)).toBeNull();
    expect(store.productIndex(store.product(17).id)).toBe(17);
    expect(store.orderIndex(store.order(0).id + 1n)).toBeNull();
  });

  it('dates records before the anchor, ascending with their ids, to the second', () => {
    const store = new ShopStore('dates.myshopify.com', sizes, anchor);
    const early = store.order(10);
    const late = store.order(1_990);
    expect(early.createdAt < late.createdAt).toBe(true);
    expect(late.updatedAt.getTime()).toBeLessThanOrEqual(anchor.getTime());
    expect(early.updatedAt.getMilliseconds()).toBe(0);
    expect(early.lineItems.length).toBeGreaterThan(0);
    expect(early.totalCents).toBeGreaterThan(early.subtotalCents);
  });

  it('keeps changes over the generated data', () => {
    const store = new ShopStore('changes.myshopify.com', sizes, anchor);
    const at = new Date('2026-11-27T10:00:00.750Z');
    expect(store.updateProduct(3, { title: 'New' }, at)).toMatchObject({
      title: 'New',
      updatedAt: new Date('2026-11-27T10:00:00Z'),
    });
    store.setAvailable(15, 1, 42, at);
    expect(store.inventoryLevel(15, 1).available).toBe(42);
    expect(store.inventoryLevel(15, 0).available).toBe(
      new ShopStore('changes.myshopify.com', sizes, anchor).inventoryLevel(15, 0).available,
    );
  });
});

it('serves orders of a shop without products, with no line items', () => {
  const store = new ShopStore(
    'empty.myshopify.com',
    { products: 0, orders: 3, customers: 1 },
    anchor,
  );
  expect(store.order(2).lineItems).toEqual([]);
  expect(store.order(2).totalCents).toBe(0);
});

describe('IdScheme and gids', () => {
  it('round-trips ids and rejects strangers', () => {
    const scheme = new IdScheme('x', 100);
    expect(scheme.index(scheme.id(99))).toBe(99);
    expect(scheme.index(scheme.id(100))).toBeNull();
    expect(
      parseGid('gid://shopify/InventoryLevel/123456789012345678?inventory_item_id=9'),
    ).toMatchObject({
      type: 'InventoryLevel',
      id: 123456789012345678n,
    });
    expect(parseGid('gid://shopify/Product/abc')).toBeNull();
  });
});
