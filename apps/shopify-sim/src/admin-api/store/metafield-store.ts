import { SeededRandom } from '../../random/seeded-random';
import { IdScheme } from './id-scheme';
import type { MetafieldRecord, ProductRecord } from './store-records';

/** Room per product: the generated metafields and those `metafieldsSet` adds. */
export const METAFIELDS_PER_PRODUCT = 8;

const MATERIALS = ['Organic cotton', 'Recycled polyester', 'Stoneware', 'Merino wool', 'Canvas'];
const CARE = [
  'Machine wash cold.\nTumble dry low.',
  'Hand wash only.\nDry flat.',
  'Dishwasher safe.\nMicrowave safe.',
];

type Generated = Omit<MetafieldRecord, 'id' | 'productIndex' | 'createdAt' | 'updatedAt'>;

/**
 * A product's metafields: two or three generated from the shop and product index (material, care
 * instructions, sometimes a rating), plus what `metafieldsSet` wrote. Ids come from a scheme with
 * `METAFIELDS_PER_PRODUCT` slots per product, so every id is above 2^53 and maps back to its slot.
 */
export class MetafieldStore {
  private readonly ids: IdScheme;
  /** Written values by product index, then `namespace.key`. */
  private readonly written = new Map<number, Map<string, MetafieldRecord>>();

  constructor(
    private readonly shop: string,
    productCount: number,
  ) {
    this.ids = new IdScheme(`${shop}:Metafield`, productCount * METAFIELDS_PER_PRODUCT);
  }

  /** The product's metafields in slot order (generated first, then added ones). */
  forProduct(product: ProductRecord): MetafieldRecord[] {
    const generated = this.generate(product.index).map((field, slot) =>
      this.record(product, slot, field, product.updatedAt),
    );
    const written = this.written.get(product.index);
    if (!written) return generated;
    const merged = generated.map(
      (field) => written.get(`${field.namespace}.${field.key}`) ?? field,
    );
    const generatedKeys = new Set(generated.map((f) => `${f.namespace}.${f.key}`));
    for (const [name, field] of written) if (!generatedKeys.has(name)) merged.push(field);
    return merged;
  }

  /**
   * Creates or replaces `namespace.key` on a product; null when the product has no free slot.
   * An existing metafield keeps its id and type unless a type is given.
   */
  set(
    product: ProductRecord,
    input: { namespace: string; key: string; type: string | null; value: string },
    at: Date,
  ): MetafieldRecord | null {
    const current = this.forProduct(product);
    const existing = current.findIndex(
      (f) => f.namespace === input.namespace && f.key === input.key,
    );
    const slot = existing >= 0 ? existing : current.length;
    if (slot >= METAFIELDS_PER_PRODUCT) return null;
    const before = existing >= 0 ? current[existing]! : null;
    const record: MetafieldRecord = {
      ...this.record(
        product,
        slot,
        {
          namespace: input.namespace,
          key: input.key,
          type: input.type ?? before?.type ?? 'single_line_text_field',
          value: input.value,
        },
        at,
      ),
      createdAt: before?.createdAt ?? at,
    };
    const written = this.written.get(product.index) ?? new Map<string, MetafieldRecord>();
    written.set(`${input.namespace}.${input.key}`, record);
    this.written.set(product.index, written);
    return record;
  }

  private record(
    product: ProductRecord,
    slot: number,
    field: Generated,
    updatedAt: Date,
  ): MetafieldRecord {
    return {
      ...field,
      id: this.ids.id(product.index * METAFIELDS_PER_PRODUCT + slot),
      productIndex: product.index,
      createdAt: product.createdAt,
      updatedAt,
    };
  }

  private generate(productIndex: number): Generated[] {
    const rng = new SeededRandom(`${this.shop}:metafields:${productIndex}`);
    const fields: Generated[] = [
      {
        namespace: 'custom',
        key: 'material',
        type: 'single_line_text_field',
        value: rng.pick(MATERIALS),
      },
      {
        namespace: 'custom',
        key: 'care_instructions',
        type: 'multi_line_text_field',
        value: rng.pick(CARE),
      },
    ];
    if (rng.chance(0.5)) {
      const rating = (rng.int(30, 50) / 10).toFixed(1);
      fields.push({
        namespace: 'reviews',
        key: 'rating',
        type: 'rating',
        value: `{"value":"${rating}","scale_min":"1.0","scale_max":"5.0"}`,
      });
    }
    return fields;
  }
}
