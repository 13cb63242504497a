import { SeededRandom } from '../../random/seeded-random';
import { ID_MAX, ID_MIN } from '../../webhooks/payloads/shop-profile';

/**
 * Ids of one kind of record in one shop: `base + index × stride`. Every id is an 18-digit number
 * above 2^53, like Shopify's, ascending with the index (Shopify's default sort is by id), and an
 * id maps back to its index in O(1) — so 50,000 variants never have to exist as objects to be
 * found by id.
 */
export class IdScheme {
  private readonly base: bigint;
  private readonly stride: bigint;

  constructor(
    seed: string,
    readonly count: number,
  ) {
    const rng = new SeededRandom(`ids:${seed}`);
    this.stride = BigInt(rng.int(1_000, 90_000));
    const room = ID_MAX - ID_MIN - this.stride * BigInt(Math.max(count, 1));
    this.base = ID_MIN + rng.bigint(0n, room / 2n);
  }

  id(index: number): bigint {
    return this.base + BigInt(index) * this.stride;
  }

  /** The index of an id, or null when it is not one of this scheme's (wrong kind or shop). */
  index(id: bigint): number | null {
    const offset = id - this.base;
    if (offset < 0n || offset % this.stride !== 0n) return null;
    const index = offset / this.stride;
    return index < BigInt(this.count) ? Number(index) : null;
  }
}

/** Parses `gid://shopify/<Type>/<digits>[?query]`; ids stay bigint, never a JS number. */
export function parseGid(
  value: string,
): { type: string; id: bigint; params: URLSearchParams } | null {
  const match = /^gid:\/\/shopify\/([A-Za-z]+)\/(\d{1,20})(?:\?(.*))?$/.exec(value);
  if (!match) return null;
  return { type: match[1]!, id: BigInt(match[2]!), params: new URLSearchParams(match[3] ?? '') };
}
