import { parseShopifyJson, type ShopifyJson } from '@shopwire/shopify';
import { ShopifyAdminError } from '../errors';
import { gidType, reassembleBulkLines, type BulkRecord } from './jsonl-reassembly';

async function* linesOf(...texts: string[]): AsyncGenerator<ShopifyJson> {
  for (const text of texts) yield parseShopifyJson(text);
}

async function collect(iterable: AsyncIterable<BulkRecord>): Promise<BulkRecord[]> {
  const out: BulkRecord[] = [];
  for await (const record of iterable) out.push(record);
  return out;
}

const P = (n: number) => `gid://shopify/Product/${n}`;
const V = (n: number) => `gid://shopify/ProductVariant/${n}`;

describe('reassembleBulkLines', () => {
  it('attaches children and grandchildren to their parents, in file order', async () => {
    const records = await collect(
      reassembleBulkLines(
        linesOf(
          `{"id":"${P(1)}","title":"a"}`,
          `{"id":"${V(11)}","__parentId":"${P(1)}"}`,
          `{"id":"gid://shopify/InventoryLevel/5","available":3,"__parentId":"${V(11)}"}`,
          `{"id":"${V(12)}","__parentId":"${P(1)}"}`,
          `{"id":"${P(2)}","title":"b"}`,
          `{"id":"${V(21)}","__parentId":"${P(2)}"}`,
        ),
        { openParents: 1 },
      ),
    );
    expect(records.map((r) => r.node.id)).toEqual([P(1), P(2)]);
    expect(records[0].children.map((c) => c.node.id)).toEqual([V(11), V(12)]);
    expect(records[0].children[0].children[0].node).toEqual({
      id: 'gid://shopify/InventoryLevel/5',
      available: 3,
    });
    expect(records[1].children.map((c) => c.node.id)).toEqual([V(21)]);
    expect('__parentId' in records[0].children[0].node).toBe(false);
  });

  it('yields a parent as soon as the window moves past it (bounded memory)', async () => {
    const seen: string[] = [];
    async function* source(): AsyncGenerator<ShopifyJson> {
      for (let i = 1; i <= 5; i++) {
        seen.push(`line ${i}`);
        yield { id: P(i) };
      }
    }
    const iterator = reassembleBulkLines(source(), { openParents: 2 });
    const first = await iterator.next();
    expect(first.value?.node.id).toBe(P(1));
    // only the window's worth beyond it was read
    expect(seen).toEqual(['line 1', 'line 2', 'line 3']);
  });

  it('tolerates interleaving within the window', async () => {
    const records = await collect(
      reassembleBulkLines(
        linesOf(
          `{"id":"${P(1)}"}`,
          `{"id":"${P(2)}"}`,
          `{"id":"${V(11)}","__parentId":"${P(1)}"}`,
          `{"id":"${V(21)}","__parentId":"${P(2)}"}`,
        ),
        { openParents: 2 },
      ),
    );
    expect(records.map((r) => r.children.length)).toEqual([1, 1]);
  });

  it('refuses a child whose parent already left the window', async () => {
    const run = collect(
      reassembleBulkLines(
        linesOf(`{"id":"${P(1)}"}`, `{"id":"${P(2)}"}`, `{"id":"${V(11)}","__parentId":"${P(1)}"}`),
        { openParents: 1 },
      ),
    );
    await expect(run).rejects.toThrow(ShopifyAdminError);
    await expect(run).rejects.toThrow(/last 1 top-level/);
  });

  it('keeps IDs above 2^53 exact', async () => {
    const [record] = await collect(
      reassembleBulkLines(
        linesOf('{"id":"gid://shopify/Order/1","legacyResourceId":820982911946154508}'),
      ),
    );
    expect(record.node.legacyResourceId).toBe('820982911946154508');
  });
});

describe('gidType', () => {
  it('reads the type of a GID', () => {
    expect(gidType(V(3))).toBe('ProductVariant');
    expect(gidType('123')).toBeNull();
    expect(gidType(undefined)).toBeNull();
  });
});
