import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { CacheMetrics } from './cache-metrics';
import type { CacheStore } from './cache-store';
import { assertKeySegment, DEFAULT_KEY_PREFIX, entryKeys, type EntryKeys } from './keys';
import {
  jitteredTtl,
  namespacePolicy,
  type CacheNamespace,
  type NamespacePolicy,
} from './namespaces';
import { SingleFlight } from './single-flight';

/** What a cached "does not exist" is stored as: JSON text is never empty. */
const NOT_FOUND = '';

/**
 * Where values come from on a miss. One call per batch of missing ids; the answer maps each id
 * that exists to its JSON text, kept byte for byte (IDs above 2^53 are never parsed here). An id
 * absent from the map, or mapped to null, does not exist (and is cached as such, briefly).
 * Throwing fails every caller waiting on the batch; nothing is cached.
 */
export interface CacheOrigin {
  load(shop: string, ids: string[]): Promise<Map<string, string | null>>;
}

export interface CacheLockOptions {
  /** How long a fill lock is held at most (covers one origin call). */
  ttlMs: number;
  /** How long a replica that lost the lock waits for the holder's fill before asking itself. */
  waitMs: number;
  pollMs?: number;
}

export interface CacheAsideOptions {
  namespace: CacheNamespace;
  origin: CacheOrigin;
  /** null: no Redis at all — every read goes to the origin (still single-flighted). */
  store: CacheStore | null;
  metrics: CacheMetrics;
  policy?: Partial<Omit<NamespacePolicy, 'namespace'>>;
  prefix?: string;
  /**
   * An origin answer that took longer than this is returned but not stored: the purge
   * generations it is checked against live `generationTtlMs`, and must outlive any fill.
   */
  maxFillMs?: number;
  /**
   * Cross-replica single flight: a short `SET NX PX` lock per missing key; the replicas that
   * lose it wait up to `waitMs` for the winner's fill instead of calling the origin too. Skipped
   * whenever Redis is unavailable (it would only add waiting to an outage).
   */
  lock?: CacheLockOptions | false;
  random?: () => number;
}

export interface CacheLookup {
  /** The origin's JSON text, or null when the resource does not exist. */
  value: string | null;
  source: 'cache' | 'origin';
}

interface Miss {
  id: string;
  keys: EntryKeys;
  /** The generation read with the miss; null when Redis could not be read (nothing is stored). */
  generation: string | null;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Cache-aside over Redis for one namespace: read Redis (one MGET for any number of ids), answer
 * hits, load the misses from the origin in one batch call, store them — unless a purge came in
 * meanwhile — and answer. Concurrent misses on one key in this process share one origin call.
 * Redis failing never fails a read: the breaker in `CacheStore` opens and reads go to the origin.
 */
export class CacheAside {
  readonly policy: NamespacePolicy;
  private readonly prefix: string;
  private readonly maxFillMs: number;
  private readonly random: () => number;
  private readonly flights = new SingleFlight<string | null, string | null>();

  constructor(private readonly options: CacheAsideOptions) {
    // Validates at run time too: the type already excludes inventory levels and order status,
    // but a cast or a config string must not get around the rule.
    this.policy = namespacePolicy(options.namespace, options.policy);
    this.prefix = options.prefix ?? DEFAULT_KEY_PREFIX;
    this.random = options.random ?? Math.random;
    this.maxFillMs = options.maxFillMs ?? 10_000;
    const generationTtl = options.store?.generationTtlMs;
    if (generationTtl !== undefined && this.maxFillMs * 2 > generationTtl)
      throw new RangeError('maxFillMs must be at most half the store’s generationTtlMs');
  }

  get namespace(): CacheNamespace {
    return this.policy.namespace;
  }

  async get(shop: string, id: string): Promise<CacheLookup> {
    const found = await this.getMany(shop, [id]);
    return found.get(id)!;
  }

  /** Every requested id (deduplicated) → its lookup, in the order asked. */
  async getMany(shop: string, ids: string[]): Promise<Map<string, CacheLookup>> {
    assertKeySegment('shop', shop);
    const unique = [...new Set(ids)];
    unique.forEach((id) => assertKeySegment('id', id));
    const answers = new Map<string, CacheLookup>();
    if (unique.length === 0) return answers;
    const keys = unique.map((id) => entryKeys(this.prefix, this.namespace, shop, id));
    const read = await this.readRedis(keys);
    const misses: Miss[] = [];
    unique.forEach((id, i) => {
      const cached = read?.values[i];
      if (typeof cached === 'string')
        answers.set(id, { value: cached === NOT_FOUND ? null : cached, source: 'cache' });
      else misses.push({ id, keys: keys[i], generation: read ? read.generations[i] : null });
    });
    const labels = { namespace: this.namespace };
    if (answers.size > 0) this.options.metrics.hits.inc(labels, answers.size);
    if (misses.length > 0) {
      this.options.metrics.misses.inc(labels, misses.length);
      const loaded = await this.loadMisses(shop, misses);
      for (const miss of misses)
        answers.set(miss.id, { value: loaded.get(miss.id) ?? null, source: 'origin' });
    }
    return new Map(unique.map((id) => [id, answers.get(id)!]));
  }

  /**
   * Invalidates entries: deletes their values and bumps their generations, so a fill that read
   * the old generation before this purge cannot store what it fetched. Throws when Redis is
   * unavailable — a purge must not be lost silently (the purge consumer retries it).
   */
  async purge(shop: string, ids: string[]): Promise<void> {
    assertKeySegment('shop', shop);
    const unique = [...new Set(ids)];
    unique.forEach((id) => assertKeySegment('id', id));
    if (!this.options.store || unique.length === 0) return;
    await this.options.store.purge(
      unique.map((id) => entryKeys(this.prefix, this.namespace, shop, id)),
    );
    this.options.metrics.purged.inc({ namespace: this.namespace }, unique.length);
  }

  private async readRedis(keys: EntryKeys[]) {
    const store = this.options.store;
    if (!store?.available) return null;
    const started = performance.now();
    try {
      return await store.read(keys);
    } catch {
      return null; // counted by the store; the origin answers instead
    } finally {
      this.options.metrics.readSeconds.observe(
        { namespace: this.namespace },
        (performance.now() - started) / 1000,
      );
    }
  }

  /**
   * Joins fills already in the air for the same key; the rest go to the origin in one batch. A
   * flight is tagged with the generation its starter read: a reader that read a different one (a
   * purge came in between) never joins it, so nobody asking after a purge gets pre-purge data. A
   * reader that could not read Redis (generation unknown) joins whatever flight there is.
   */
  private async loadMisses(shop: string, misses: Miss[]): Promise<Map<string, string | null>> {
    const waits: Promise<[string, string | null]>[] = [];
    const fresh: Miss[] = [];
    for (const miss of misses) {
      const flight = this.flights.joinable(
        miss.keys.value,
        (generation) => miss.generation === null || generation === miss.generation,
      );
      if (flight) waits.push(flight.then((value) => [miss.id, value]));
      else fresh.push(miss);
    }
    if (fresh.length > 0) {
      const batch = this.fetchAndFill(shop, fresh);
      for (const miss of fresh) {
        const flight = this.flights.track(
          miss.keys.value,
          batch.then((values) => values.get(miss.id) ?? null),
          miss.generation,
        );
        waits.push(flight.then((value) => [miss.id, value]));
      }
    }
    return new Map(await Promise.all(waits));
  }

  private async fetchAndFill(shop: string, misses: Miss[]): Promise<Map<string, string | null>> {
    const lock = this.options.lock;
    const store = this.options.store;
    if (!lock || !store?.available || misses.some((m) => m.generation === null))
      return this.loadFromOrigin(shop, misses);
    const token = randomUUID();
    let taken: boolean[];
    try {
      taken = await store.lock(
        misses.map((m) => m.keys.lock),
        token,
        lock.ttlMs,
      );
    } catch {
      return this.loadFromOrigin(shop, misses);
    }
    const owned = misses.filter((_, i) => taken[i]);
    const contested = misses.filter((_, i) => !taken[i]);
    const release = () =>
      store
        .unlock(
          owned.map((m) => m.keys.lock),
          token,
        )
        .catch(() => undefined); // expires by itself
    const [mine, theirs] = await Promise.all([
      owned.length > 0
        ? this.loadFromOrigin(shop, owned).finally(release)
        : new Map<string, string | null>(),
      contested.length > 0
        ? this.waitForPeers(shop, contested, lock)
        : new Map<string, string | null>(),
    ]);
    return new Map([...mine, ...theirs]);
  }

  /** Polls for the lock holder's fill; what is still missing after `waitMs` is fetched here. */
  private async waitForPeers(
    shop: string,
    misses: Miss[],
    lock: CacheLockOptions,
  ): Promise<Map<string, string | null>> {
    const found = new Map<string, string | null>();
    let pending = misses;
    const deadline = performance.now() + lock.waitMs;
    while (pending.length > 0 && performance.now() < deadline && this.options.store?.available) {
      await sleep(lock.pollMs ?? 10);
      let values: (string | null)[];
      try {
        values = await this.options.store.values(pending.map((m) => m.keys.value));
      } catch {
        break;
      }
      pending = pending.filter((miss, i) => {
        const value = values[i];
        if (typeof value !== 'string') return true;
        found.set(miss.id, value === NOT_FOUND ? null : value);
        return false;
      });
    }
    if (pending.length > 0)
      for (const [id, value] of await this.loadFromOrigin(shop, pending)) found.set(id, value);
    return found;
  }

  private async loadFromOrigin(shop: string, misses: Miss[]): Promise<Map<string, string | null>> {
    const namespace = this.namespace;
    const started = performance.now();
    let loaded: Map<string, string | null>;
    try {
      loaded = await this.options.origin.load(
        shop,
        misses.map((m) => m.id),
      );
      this.options.metrics.originCalls.inc({ namespace, result: 'ok' });
    } catch (error) {
      this.options.metrics.originCalls.inc({ namespace, result: 'error' });
      throw error;
    } finally {
      this.options.metrics.originSeconds.observe(
        { namespace },
        (performance.now() - started) / 1000,
      );
    }
    const elapsed = performance.now() - started;
    const values = new Map<string, string | null>(
      misses.map((m) => {
        const value = loaded.get(m.id);
        return [m.id, typeof value === 'string' && value !== NOT_FOUND ? value : null];
      }),
    );
    await this.fill(misses, values, elapsed);
    return values;
  }

  private async fill(misses: Miss[], values: Map<string, string | null>, elapsedMs: number) {
    const store = this.options.store;
    if (!store?.available || elapsedMs > this.maxFillMs) return;
    const fillable = misses.filter(
      (m): m is Miss & { generation: string } => m.generation !== null,
    );
    if (fillable.length === 0) return;
    const { ttlMs, negativeTtlMs, jitter } = this.policy;
    try {
      const stored = await store.fill(
        fillable.map((m) => {
          const value = values.get(m.id) ?? null;
          return {
            keys: m.keys,
            generation: m.generation,
            value: value ?? NOT_FOUND,
            ttlMs: jitteredTtl(value === null ? negativeTtlMs : ttlMs, jitter, this.random),
          };
        }),
      );
      const refused = stored.filter((s) => !s).length;
      if (refused > 0)
        this.options.metrics.staleFillsRejected.inc({ namespace: this.namespace }, refused);
    } catch {
      // Counted by the store. The answer is right; it just is not cached this time.
    }
  }
}
