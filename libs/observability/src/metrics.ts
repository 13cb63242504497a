import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * How often the event loop's delay is sampled, in ms. Node's monitor is a timer of this period,
 * and each sample is the time between two of its firings: `nodejs_eventloop_lag_*_seconds` read
 * this interval plus the delay (an idle loop's p99 is about 0.1 s; subtract it). prom-client's
 * default, 10 ms, woke every process 100 times a second for this alone — 0.8 % of a core on the
 * development machine, more than the rest of an idle service (docs/benchmarks.md). A stall
 * longer than the interval is always seen; shorter ones are sampled.
 */
export const EVENT_LOOP_SAMPLE_MS = 100;

/**
 * One Prometheus registry per process, with Node's default metrics (event loop lag, heap, GC)
 * and the service name as a default label. Apps and libs register their own series on it.
 */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
  return registry;
}

export { Counter, Gauge, Histogram, Registry };
