/**
 * What may be cached. Only data that may be a little stale without harm: the catalog, metafields,
 * store configuration and pricing rules. Inventory levels and live order status decide whether a
 * customer can buy or what a merchant ships; a stale answer there oversells or misinforms, so
 * they are refused outright — by type, and at run time for callers that get around the type.
 */
export const CACHEABLE_NAMESPACES = [
  'products',
  'variants',
  'metafields',
  'store-config',
  'pricing-rules',
] as const;

export type CacheNamespace = (typeof CACHEABLE_NAMESPACES)[number];

/** Names (and prefixes) that are never cached, whatever a caller asks for. */
export const FORBIDDEN_NAMESPACES = [
  'inventory',
  'inventory-levels',
  'inventory_levels',
  'order-status',
  'order_status',
  'orders',
] as const;

export const CacheErrorCode = {
  ForbiddenNamespace: 'CACHE_NAMESPACE_FORBIDDEN',
  UnknownNamespace: 'CACHE_NAMESPACE_UNKNOWN',
  InvalidKey: 'CACHE_INVALID_KEY',
} as const;

export type CacheErrorCode = (typeof CacheErrorCode)[keyof typeof CacheErrorCode];

export class CacheError extends Error {
  override readonly name: string = 'CacheError';
  constructor(
    readonly code: CacheErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The cache refuses a namespace that holds data which must always be read live. */
export class ForbiddenNamespaceError extends CacheError {
  override readonly name = 'ForbiddenNamespaceError';
  constructor(readonly namespace: string) {
    super(
      CacheErrorCode.ForbiddenNamespace,
      `namespace "${namespace}" must never be cached (inventory levels and order status are always read live)`,
    );
  }
}

/** Per-namespace policy. */
export interface NamespacePolicy {
  namespace: CacheNamespace;
  /** How long a found value lives. */
  ttlMs: number;
  /** How long a "not found" lives: short, so a newly created resource appears soon. */
  negativeTtlMs: number;
  /**
   * Fraction added at random to each TTL (0.1 → up to +10 %), so entries filled together (a
   * warm-up, a purge storm) do not all expire in the same second and stampede the origin.
   */
  jitter: number;
}

export const DEFAULT_POLICIES: Record<CacheNamespace, Omit<NamespacePolicy, 'namespace'>> = {
  products: { ttlMs: 5 * 60_000, negativeTtlMs: 30_000, jitter: 0.1 },
  variants: { ttlMs: 5 * 60_000, negativeTtlMs: 30_000, jitter: 0.1 },
  metafields: { ttlMs: 10 * 60_000, negativeTtlMs: 60_000, jitter: 0.1 },
  'store-config': { ttlMs: 15 * 60_000, negativeTtlMs: 60_000, jitter: 0.1 },
  'pricing-rules': { ttlMs: 2 * 60_000, negativeTtlMs: 30_000, jitter: 0.1 },
};

/** Throws `ForbiddenNamespaceError` (or `CacheError` for a name that is not cacheable). */
export function assertCacheable(namespace: string): asserts namespace is CacheNamespace {
  const lower = namespace.toLowerCase();
  if (FORBIDDEN_NAMESPACES.some((f) => lower === f || lower.startsWith(`${f}-`)))
    throw new ForbiddenNamespaceError(namespace);
  if (!(CACHEABLE_NAMESPACES as readonly string[]).includes(namespace))
    throw new CacheError(
      CacheErrorCode.UnknownNamespace,
      `namespace "${namespace}" is not cacheable; allowed: ${CACHEABLE_NAMESPACES.join(', ')}`,
    );
}

/** A policy with defaults filled in; validates the namespace first. */
export function namespacePolicy(
  namespace: string,
  overrides: Partial<Omit<NamespacePolicy, 'namespace'>> = {},
): NamespacePolicy {
  assertCacheable(namespace);
  const policy = { namespace, ...DEFAULT_POLICIES[namespace], ...overrides };
  if (!(policy.ttlMs > 0) || !(policy.negativeTtlMs > 0) || !(policy.jitter >= 0))
    throw new RangeError(`cache policy for "${namespace}" needs positive TTLs and jitter ≥ 0`);
  return policy;
}

/** A TTL with up to `jitter`·ttl added, never below the TTL itself. */
export function jitteredTtl(ttlMs: number, jitter: number, random: () => number = Math.random) {
  return Math.max(1, Math.round(ttlMs * (1 + jitter * random())));
}
