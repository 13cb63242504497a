import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/**
 * The cache's Prometheus series. One set per registry (several namespaces share it through the
 * `namespace` label), created on first use so each `CacheAside` can simply ask for it.
 */
export class CacheMetrics {
  readonly hits: Counter<'namespace'>;
  readonly misses: Counter<'namespace'>;
  readonly originCalls: Counter<'namespace' | 'result'>;
  readonly originSeconds: Histogram<'namespace'>;
  readonly readSeconds: Histogram<'namespace'>;
  readonly redisErrors: Counter<'op'>;
  readonly staleFillsRejected: Counter<'namespace'>;
  readonly purged: Counter<'namespace'>;
  readonly purgeLagSeconds: Histogram<'topic'>;

  private constructor(registry: Registry) {
    const registers = [registry];
    this.hits = new Counter({
      name: 'shopwire_cache_hits_total',
      help: 'Reads answered from Redis (a cached "not found" included)',
      labelNames: ['namespace'],
      registers,
    });
    this.misses = new Counter({
      name: 'shopwire_cache_misses_total',
      help: 'Reads not answered from Redis (absent, or Redis unavailable)',
      labelNames: ['namespace'],
      registers,
    });
    const { hits, misses } = this;
    new Gauge({
      name: 'shopwire_cache_hit_ratio',
      help: 'hits / (hits + misses) since the process started (for rates use the counters)',
      labelNames: ['namespace'],
      registers,
      async collect() {
        const h = await hits.get();
        const m = await misses.get();
        const byNs = new Map<string, { hits: number; misses: number }>();
        for (const v of h.values) {
          const ns = String(v.labels.namespace);
          byNs.set(ns, { hits: v.value, misses: 0 });
        }
        for (const v of m.values) {
          const ns = String(v.labels.namespace);
          const entry = byNs.get(ns) ?? { hits: 0, misses: 0 };
          entry.misses = v.value;
          byNs.set(ns, entry);
        }
        for (const [namespace, c] of byNs) {
          const total = c.hits + c.misses;
          this.set({ namespace }, total === 0 ? 0 : c.hits / total);
        }
      },
    });
    this.originCalls = new Counter({
      name: 'shopwire_cache_origin_calls_total',
      help: 'Batch calls to the origin on misses (one per single-flight group), by result',
      labelNames: ['namespace', 'result'],
      registers,
    });
    this.originSeconds = new Histogram({
      name: 'shopwire_cache_origin_duration_seconds',
      help: 'Time of one origin call made on a miss',
      labelNames: ['namespace'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.readSeconds = new Histogram({
      name: 'shopwire_cache_read_duration_seconds',
      help: 'Time of the Redis read (one MGET) of a cache lookup',
      labelNames: ['namespace'],
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1],
      registers,
    });
    this.redisErrors = new Counter({
      name: 'shopwire_cache_redis_errors_total',
      help: 'Redis commands that failed, timed out or were refused by the open breaker',
      labelNames: ['op'],
      registers,
    });
    this.staleFillsRejected = new Counter({
      name: 'shopwire_cache_stale_fills_rejected_total',
      help: 'Origin answers not stored because a purge happened while they were being fetched',
      labelNames: ['namespace'],
      registers,
    });
    this.purged = new Counter({
      name: 'shopwire_cache_purged_keys_total',
      help: 'Cache entries invalidated (webhook-driven or explicit)',
      labelNames: ['namespace'],
      registers,
    });
    this.purgeLagSeconds = new Histogram({
      name: 'shopwire_cache_purge_lag_seconds',
      help: 'From a webhook message reaching Kafka to its cache entries being purged',
      labelNames: ['topic'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
  }

  private static readonly byRegistry = new WeakMap<Registry, CacheMetrics>();

  static for(registry: Registry): CacheMetrics {
    let metrics = CacheMetrics.byRegistry.get(registry);
    if (!metrics) {
      metrics = new CacheMetrics(registry);
      CacheMetrics.byRegistry.set(registry, metrics);
    }
    return metrics;
  }
}
