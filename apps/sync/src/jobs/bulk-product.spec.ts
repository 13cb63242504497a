import { parseShopifyJson } from '@shopwire/shopify';
import { reassembleBulkLines, type BulkRecord } from '@shopwire/shopify-admin';
import { productStateOf, BulkProductError } from './bulk-product';

async function records(lines: string[]): Promise<BulkRecord[]> {
  async function* parsed() {
    for (const line of lines) yield parseShopifyJson(line);
  }
  const out: BulkRecord[] = [];
  for await (const record of reassembleBulkLines(parsed())) out.push(record);
  return out;
}

describe('productStateOf', () => {
  it('maps a bulk product and its variants to the mirror shape, ids exact', async () => {
    const [record] = await records([
      '{"id":"gid://shopify/Product/900000000000000001","legacyResourceId":"900000000000000001","title":"Mug","handle":"mug","status":"ACTIVE","updatedAt":"2026-11-20T10:00:00Z"}',
      '{"id":"gid://shopify/ProductVariant/900000000000000011","legacyResourceId":"900000000000000011","sku":"MUG-1","price":"12.50","inventoryItem":{"legacyResourceId":"900000000000000021"},"__parentId":"gid://shopify/Product/900000000000000001"}',
      '{"id":"gid://shopify/ProductVariant/900000000000000012","sku":null,"price":"13.00","inventoryItem":null,"__parentId":"gid://shopify/Product/900000000000000001"}',
    ]);
    expect(productStateOf(record!)).toEqual({
      id: '900000000000000001',
      title: 'Mug',
      handle: 'mug',
      status: 'active',
      updatedAt: '2026-11-20T10:00:00Z',
      variants: [
        {
          id: '900000000000000011',
          sku: 'MUG-1',
          price: '12.50',
          inventoryItemId: '900000000000000021',
        },
        { id: '900000000000000012', sku: null, price: '13.00', inventoryItemId: null },
      ],
    });
  });

  it('refuses a product without an id or updatedAt', () => {
    expect(() =>
      productStateOf({ node: { title: 'x', updatedAt: '2026-11-20T10:00:00Z' }, children: [] }),
    ).toThrow(BulkProductError);
    expect(() =>
      productStateOf({ node: { id: 'gid://shopify/Product/1', updatedAt: 'later' }, children: [] }),
    ).toThrow(BulkProductError);
  });
});
