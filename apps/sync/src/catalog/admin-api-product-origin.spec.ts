import { productDocument } from './admin-api-product-origin';

describe('productDocument', () => {
  it('keeps ids as exact strings and lower-cases the status, like the mirror', () => {
    const doc = productDocument({
      legacyResourceId: '820982911946154508',
      title: 'Mug',
      handle: 'mug',
      status: 'ACTIVE',
      updatedAt: '2026-11-27T06:00:00Z',
      variants: {
        nodes: [
          {
            legacyResourceId: 42,
            sku: 'M-1',
            price: '12.00',
            inventoryItem: { legacyResourceId: '9007199254740993' },
          },
        ],
      },
    });
    expect(doc?.id).toBe('820982911946154508');
    expect(doc?.json).toBe(
      '{"id":"820982911946154508","title":"Mug","handle":"mug","status":"active","updated_at":"2026-11-27T06:00:00Z","variants":[{"id":"42","sku":"M-1","price":"12.00","inventory_item_id":"9007199254740993"}]}',
    );
  });

  it('skips a node that is not a product', () => {
    expect(productDocument({})).toBeNull();
  });
});
