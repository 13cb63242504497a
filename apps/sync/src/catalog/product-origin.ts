import type { CacheOrigin } from '@shopwire/cache';

/**
 * Where the catalog API's product documents come from on a cache miss: one call per batch of
 * ids, each found product as its JSON text (IDs as strings, never through a JS number), absent
 * ids not found. Narrow on purpose, so the origin can move from the sync schema's mirror to the
 * Admin API (through the budgeted client) without the cache or the API noticing.
 *
 * A product document never carries inventory quantities: those are never cached.
 */
export type ProductOrigin = CacheOrigin;
