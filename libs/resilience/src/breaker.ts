import { EventEmitter } from 'node:events';
import CircuitBreaker from 'opossum';
import { Gauge, type Registry } from 'prom-client';

export type BreakerState = 'closed' | 'half-open' | 'open';

/** The gauge's value per state: ordered by how bad it is, so alerts can use `> 0`. */
export const BREAKER_STATE_VALUE: Record<BreakerState, number> = {
  closed: 0,
  'half-open': 1,
  open: 2,
};

export interface BreakerOptions {
  /** Shown in health and as the metric's `breaker` label, e.g. `smtp`. */
  name: string;
  /** Per-call timeout; the call is failed (and counted) after this long. */
  timeoutMs: number;
  /** Failure percentage over the rolling window that opens the breaker. */
  errorThresholdPercentage?: number;
  /** Calls in the window before the percentage is judged, so one failure does not open it. */
  volumeThreshold?: number;
  /** How long it stays open before letting one trial call through (half-open). */
  resetTimeoutMs?: number;
  rollingCountTimeoutMs?: number;
  /**
   * true for errors that say nothing about the other side's health (a recipient refused, a 4xx
   * on our request): they fail the call but do not count towards opening.
   */
  isNotAFault?(error: unknown): boolean;
  /** Registers `shopwire_circuit_breaker_state{breaker}` and transition counters here. */
  registry?: Registry;
}

export type Breaker<TArgs extends unknown[], TResult> = CircuitBreaker<TArgs, TResult>;

export function breakerState(breaker: CircuitBreaker): BreakerState {
  if (breaker.opened) return 'open';
  if (breaker.halfOpen) return 'half-open';
  return 'closed';
}

/** What `/health/ready` shows for a breaker (no payloads, only counts). */
export function breakerHealth(breaker: CircuitBreaker): Record<string, unknown> {
  const stats = breaker.stats;
  return {
    state: breakerState(breaker),
    failures: stats.failures,
    timeouts: stats.timeouts,
    rejects: stats.rejects,
    successes: stats.successes,
  };
}

/** The opossum error for a call refused because the breaker is open. */
export function isBreakerOpenError(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'EOPENBREAKER';
}

const gauges = new WeakMap<Registry, { state: Gauge<'breaker'>; breakers: Set<CircuitBreaker> }>();

function stateGauge(registry: Registry) {
  let entry = gauges.get(registry);
  if (!entry) {
    const breakers = new Set<CircuitBreaker>();
    const state = new Gauge({
      name: 'shopwire_circuit_breaker_state',
      help: 'Circuit breaker state: 0 closed, 1 half-open, 2 open',
      labelNames: ['breaker'],
      registers: [registry],
      collect() {
        for (const breaker of breakers)
          this.set({ breaker: breaker.name }, BREAKER_STATE_VALUE[breakerState(breaker)]);
      },
    });
    entry = { state, breakers };
    gauges.set(registry, entry);
  }
  return entry;
}

/** opossum's default: a rolling window of 10 buckets. */
const ROLLING_BUCKETS = 10;

/**
 * One timer per process and bucket length rotates every breaker's rolling window, instead of a
 * timer per breaker: an idle service is woken once per bucket (1 s by default), not once per
 * breaker. Unref'd, like opossum's own.
 */
const rotators = new Map<number, EventEmitter>();

function rotatorFor(bucketMs: number): EventEmitter {
  let rotator = rotators.get(bucketMs);
  if (!rotator) {
    const emitter = new EventEmitter();
    emitter.setMaxListeners(0); // every breaker of the process listens
    setInterval(() => emitter.emit('rotate'), bucketMs).unref();
    rotators.set(bucketMs, emitter);
    rotator = emitter;
  }
  return rotator;
}

/**
 * An opossum breaker around `action` with Shopwire's defaults, its state exported as a gauge
 * (read at scrape time, so it is never stale) when a registry is given.
 */
export function createBreaker<TArgs extends unknown[], TResult>(
  action: (...args: TArgs) => Promise<TResult>,
  options: BreakerOptions,
): Breaker<TArgs, TResult> {
  const rollingMs = options.rollingCountTimeoutMs ?? 10_000;
  const breaker = new CircuitBreaker<TArgs, TResult>(action, {
    name: options.name,
    timeout: options.timeoutMs,
    errorThresholdPercentage: options.errorThresholdPercentage ?? 50,
    volumeThreshold: options.volumeThreshold ?? 5,
    resetTimeout: options.resetTimeoutMs ?? 10_000,
    rollingCountTimeout: rollingMs,
    rollingCountBuckets: ROLLING_BUCKETS,
    rotateBucketController: rotatorFor(Math.floor(rollingMs / ROLLING_BUCKETS)),
    // No one listens to opossum's per-second `snapshot` events (health and metrics read `stats`
    // when asked), and each one computes the window's statistics: a timer and work for nothing.
    enableSnapshots: false,
    errorFilter: options.isNotAFault ? (error: unknown) => options.isNotAFault!(error) : undefined,
  });
  if (options.registry) {
    const { breakers } = stateGauge(options.registry);
    breakers.add(breaker);
    breaker.on('shutdown', () => breakers.delete(breaker));
  }
  return breaker;
}
