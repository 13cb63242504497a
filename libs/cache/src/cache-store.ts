import { breakerState, createBreaker, type Breaker } from '@shopwire/resilience';
import Redis, { type RedisOptions } from 'ioredis';
import type { Registry } from 'prom-client';
import type { CacheMetrics } from './cache-metrics';
import type { EntryKeys } from './keys';

// Stores the value only if no purge happened since the filler read the generation. KEYS come in
// (value, generation) pairs; ARGV in (expected generation, value, ttl ms) triples. Returns one
// 1/0 per entry. Atomic in Redis, so a purge is either wholly before the check (fill refused) or
// wholly after the SET (the purge deletes what was just stored).
const FILL_LUA = `
local stored = {}
for i = 1, #KEYS / 2 do
  local gen = redis.call('GET', KEYS[2 * i]) or '0'
  if gen == ARGV[3 * i - 2] then
    redis.call('SET', KEYS[2 * i - 1], ARGV[3 * i - 1], 'PX', ARGV[3 * i])
    stored[i] = 1
  else
    stored[i] = 0
  end
end
return stored`;

// Bumps each entry's generation (kept for ARGV[1] ms: longer than any fill may take) and deletes
// its value. KEYS in (value, generation) pairs.
const PURGE_LUA = `
for i = 1, #KEYS, 2 do
  redis.call('INCR', KEYS[i + 1])
  redis.call('PEXPIRE', KEYS[i + 1], ARGV[1])
  redis.call('DEL', KEYS[i])
end
return #KEYS / 2`;

// Takes each lock that is free (SET NX PX). KEYS: locks; ARGV[1] token, ARGV[2] ttl ms.
const LOCK_LUA = `
local got = {}
for i = 1, #KEYS do
  if redis.call('SET', KEYS[i], ARGV[1], 'NX', 'PX', ARGV[2]) then got[i] = 1 else got[i] = 0 end
end
return got`;

// Releases only locks still held by this token (one that expired and was retaken stays).
const UNLOCK_LUA = `
local n = 0
for i = 1, #KEYS do
  if redis.call('GET', KEYS[i]) == ARGV[1] then redis.call('DEL', KEYS[i]); n = n + 1 end
end
return n`;

interface ScriptedRedis extends Redis {
  cacheFill(...args: (string | number)[]): Promise<number[]>;
  cachePurge(...args: (string | number)[]): Promise<number>;
  cacheLock(...args: (string | number)[]): Promise<number[]>;
  cacheUnlock(...args: (string | number)[]): Promise<number>;
}

export interface CacheRedisOptions {
  /** `redis://host:port/db`. */
  url: string;
  /**
   * A command not answered within this is failed: a hung Redis (paused, overloaded, a network
   * black hole) must cost a request a few milliseconds, never seconds.
   */
  commandTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** Longest wait between reconnection attempts. */
  maxReconnectDelayMs?: number;
}

/**
 * An ioredis client tuned to fail fast: no offline queue (a command while disconnected fails at
 * once instead of waiting for a reconnect), a short command timeout, no per-command retries, and
 * reconnection in the background with a capped backoff.
 */
export function createCacheRedis(options: CacheRedisOptions): Redis {
  const maxDelay = options.maxReconnectDelayMs ?? 1000;
  const redisOptions: RedisOptions = {
    enableOfflineQueue: false,
    commandTimeout: options.commandTimeoutMs ?? 100,
    connectTimeout: options.connectTimeoutMs ?? 500,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    retryStrategy: (times) => Math.min(maxDelay, 50 * 2 ** Math.min(times, 10)),
    lazyConnect: false,
  };
  const redis = new Redis(options.url, redisOptions);
  // Without a listener ioredis prints every connection error; the breaker and metrics report them.
  redis.on('error', () => undefined);
  return redis;
}

export interface CacheStoreOptions {
  redis: Redis;
  metrics: CacheMetrics;
  registry?: Registry;
  /** Breaker name (metric label, health). */
  name?: string;
  /** The breaker's per-call budget; keep it a little above the client's command timeout. */
  timeoutMs?: number;
  /** While open, every cache operation is skipped for this long before one trial. */
  resetTimeoutMs?: number;
  volumeThreshold?: number;
  /** How long a purge's generation is kept; must exceed the longest fill (`maxFillMs`). */
  generationTtlMs?: number;
}

export type ReadResult = { values: (string | null)[]; generations: string[] };

/**
 * Redis operations of the cache, each one round trip, all through one opossum breaker: when
 * Redis is down or hung, the breaker opens after a few failures and every later operation is
 * refused at once, so callers go straight to the origin without paying a timeout each.
 */
export class CacheStore {
  readonly redis: ScriptedRedis;
  readonly breaker: Breaker<[() => Promise<unknown>], unknown>;
  readonly generationTtlMs: number;
  private readonly metrics: CacheMetrics;

  constructor(options: CacheStoreOptions) {
    this.redis = options.redis as ScriptedRedis;
    this.metrics = options.metrics;
    this.generationTtlMs = options.generationTtlMs ?? 10 * 60_000;
    // No fixed numberOfKeys: each call passes its key count first (batches vary in size).
    for (const [name, lua] of [
      ['cacheFill', FILL_LUA],
      ['cachePurge', PURGE_LUA],
      ['cacheLock', LOCK_LUA],
      ['cacheUnlock', UNLOCK_LUA],
    ] as const) {
      if (!(name in this.redis)) this.redis.defineCommand(name, { lua });
    }
    const run = (work: () => Promise<unknown>) => {
      const pending = work();
      // opossum stops waiting at its timeout but the command is still pending in ioredis; when it
      // fails later (a connection dropped), nobody else would be listening.
      pending.catch(() => undefined);
      return pending;
    };
    this.breaker = createBreaker(run, {
      name: options.name ?? 'redis-cache',
      timeoutMs: options.timeoutMs ?? 250,
      resetTimeoutMs: options.resetTimeoutMs ?? 2000,
      volumeThreshold: options.volumeThreshold ?? 5,
      errorThresholdPercentage: 50,
      rollingCountTimeoutMs: 5000,
      registry: options.registry,
    });
  }

  /** false while the breaker is open: callers skip the cache without trying. */
  get available(): boolean {
    return !this.breaker.opened;
  }

  get state() {
    return breakerState(this.breaker);
  }

  private async guarded<T>(op: string, work: () => Promise<T>): Promise<T> {
    try {
      return (await this.breaker.fire(work)) as T;
    } catch (error) {
      this.metrics.redisErrors.inc({ op });
      throw error;
    }
  }

  /** Values and generations of the entries, in one MGET. A missing generation reads as "0". */
  async read(entries: EntryKeys[]): Promise<ReadResult> {
    const keys = entries.flatMap((e) => [e.value, e.generation]);
    const replies = await this.guarded('read', () => this.redis.mget(keys));
    return {
      values: entries.map((_, i) => replies[2 * i]),
      generations: entries.map((_, i) => replies[2 * i + 1] ?? '0'),
    };
  }

  /** Stores each value unless its generation moved; true per entry that was stored. */
  async fill(
    entries: { keys: EntryKeys; generation: string; value: string; ttlMs: number }[],
  ): Promise<boolean[]> {
    if (entries.length === 0) return [];
    const keys = entries.flatMap((e) => [e.keys.value, e.keys.generation]);
    const args = entries.flatMap((e) => [e.generation, e.value, String(e.ttlMs)]);
    const stored = await this.guarded('fill', () =>
      this.redis.cacheFill(keys.length, ...keys, ...args),
    );
    return stored.map((s) => s === 1);
  }

  async purge(entries: EntryKeys[]): Promise<void> {
    if (entries.length === 0) return;
    const keys = entries.flatMap((e) => [e.value, e.generation]);
    await this.guarded('purge', () =>
      this.redis.cachePurge(keys.length, ...keys, String(this.generationTtlMs)),
    );
  }

  /** Takes the free locks among `locks`; true per lock taken. */
  async lock(locks: string[], token: string, ttlMs: number): Promise<boolean[]> {
    if (locks.length === 0) return [];
    const got = await this.guarded('lock', () =>
      this.redis.cacheLock(locks.length, ...locks, token, String(ttlMs)),
    );
    return got.map((g) => g === 1);
  }

  async unlock(locks: string[], token: string): Promise<void> {
    if (locks.length === 0) return;
    await this.guarded('unlock', () => this.redis.cacheUnlock(locks.length, ...locks, token));
  }

  /** Values only (polling for a fill another replica holds the lock for). */
  async values(keys: string[]): Promise<(string | null)[]> {
    return this.guarded('read', () => this.redis.mget(keys));
  }

  shutdown(): void {
    this.breaker.shutdown();
  }
}
