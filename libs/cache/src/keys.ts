import { CacheError, CacheErrorCode, type CacheNamespace } from './namespaces';

/** Default prefix; tests and side-by-side deployments pass their own. */
export const DEFAULT_KEY_PREFIX = 'shopwire:cache';

// A segment must not contain the separator, whitespace or Redis glob characters, so that one
// key can never be read as another's (shop "a:b" + id "c" vs shop "a" + id "b:c").
const SEGMENT = /^[A-Za-z0-9._/-]{1,255}$/;

export function assertKeySegment(what: 'shop' | 'id', value: string): void {
  if (!SEGMENT.test(value))
    throw new CacheError(
      CacheErrorCode.InvalidKey,
      `cache ${what} "${value}" is not a valid key part`,
    );
}

/**
 * The Redis keys of one cache entry:
 * - `value`: `<prefix>:<namespace>:<shop>:<id>` — the origin's JSON text, or "" for "not found";
 * - `generation`: bumped by every purge; a fill stores its value only if the generation is still
 *   the one it read before asking the origin (see `CacheStore.fill`);
 * - `lock`: the short cross-replica fill lock.
 */
export interface EntryKeys {
  value: string;
  generation: string;
  lock: string;
}

export function entryKeys(
  prefix: string,
  namespace: CacheNamespace,
  shop: string,
  id: string,
): EntryKeys {
  const value = `${prefix}:${namespace}:${shop}:${id}`;
  // Suffixes after the id: an id never contains '#', so these never collide with a value key.
  return { value, generation: `${value}#gen`, lock: `${value}#lock` };
}
