/**
 * Lock keys of inventory's transactions: what two transactions must share so that they cannot
 * race on one low-stock decision, and nothing more, so one shop's work spreads over replicas.
 *
 * A low-stock decision for a level (item, location) reads the level's `available` and latch, the
 * item's SKU (`inventory.items`) and that SKU's commitment (`inventory.sku_commitments`), and
 * sets the latch. Levels, items and orders arrive on different topics and partitions, applied
 * concurrently by any replica; two transactions that each saw the other's old half would miss
 * or double a crossing. So every writer of one of those inputs holds a key that every reader of
 * it also holds, until it commits:
 *
 * | transaction                  | keys                                                              |
 * | ---------------------------- | ----------------------------------------------------------------- |
 * | order accepted / cancelled   | `order` (its state row), then `sku` of every SKU its change moves |
 * | `inventory_levels/update`    | `item`, and `sku` of the SKU the item maps to                     |
 * | `inventory_items/*` (SKU)    | `item`, `sku` of the old SKU and `sku` of the new one             |
 *
 * - An order's change and every level of that SKU: `sku`. The levels an order evaluates are
 *   those of the items mapped to its SKUs; an item joins or leaves a SKU only under that SKU's
 *   key, so the set is fixed while the order holds it.
 * - A level update and an item update of the same item: `item` (the mapping cannot change while
 *   a level of the item is decided).
 * - Two events of one order (accepted and cancelled come on different topics): `order`.
 *
 * The SKU a level or item maps to is read before it is locked (a transaction must name its keys
 * up front): the lock statement looks the mapping up, and once the keys are held the mapping is
 * read again. If an item update committed in between and moved the item to a SKU not held, the
 * transaction is rolled back and redone with that SKU added (`LocksMoved`) — rare (an item's
 * SKU changes), and never wrong: nothing is decided before the check.
 *
 * No deadlock: keys are taken in one total order, by class (`order` < `item` < `sku`) then by
 * the key's 64-bit hash, and a transaction takes them in at most two statements whose keys do
 * not interleave: its order keys first, then its item and SKU keys. Row locks are only taken
 * under keys that cover them, and new `shops` rows are inserted before any key is taken.
 */
export const LockClass = { order: 0, item: 1, sku: 2 } as const;

export interface LockKey {
  cls: (typeof LockClass)[keyof typeof LockClass];
  key: string;
}

// Shop domains never contain ':', so `shop:id` is unambiguous; a hash collision between two keys
// would only make two unrelated transactions wait for each other.
export const orderLock = (shop: string, orderId: string): LockKey => ({
  cls: LockClass.order,
  key: `order:${shop}:${orderId}`,
});
export const itemLock = (shop: string, itemId: string): LockKey => ({
  cls: LockClass.item,
  key: `item:${shop}:${itemId}`,
});
export const skuLock = (shop: string, sku: string): LockKey => ({
  cls: LockClass.sku,
  key: `sku:${shop}:${sku}`,
});

/** Thrown when an item's SKU moved between the lock statement's look-up and the check after it. */
export class LocksMoved extends Error {
  override readonly name = 'LocksMoved';
  constructor(readonly missing: LockKey[]) {
    super(`an item's SKU changed while its keys were taken: ${missing.length} SKU key(s) to add`);
  }
}

/** Postgres bigint: ids that are not one cannot match a row (and must not fail a look-up). */
export function isBigintId(id: string): boolean {
  return /^\d{1,19}$/.test(id) && BigInt(id) <= 9223372036854775807n;
}
