import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { JobStatus } from './job';

/**
 * Jobs by type and state and how long they ran (callbacks are counted by
 * `@shopwire/outbound-delivery`, queue `job_callback`). Series are looked up before they are
 * created so two runtimes (or a restarted one) share a registry. The `shopwire_jobs` gauge is the
 * table's count as of the last refresh by this replica: every replica reports the same number, so
 * aggregate it with max, not sum.
 */
export class JobMetrics {
  readonly transitions: Counter<'type' | 'status'>;
  readonly current: Gauge<'type' | 'status'>;
  readonly duration: Histogram<'type' | 'status'>;
  readonly dispatchSkipped: Counter<'reason'>;

  constructor(registry: Registry | undefined) {
    const registers = registry ? [registry] : [];
    const reuse = <T>(name: string, create: () => T): T =>
      (registry?.getSingleMetric(name) as T | undefined) ?? create();
    this.transitions = reuse(
      'shopwire_job_transitions_total',
      () =>
        new Counter({
          name: 'shopwire_job_transitions_total',
          help: 'Jobs entering a state on this replica (queued on submit or requeue, running on claim, …)',
          labelNames: ['type', 'status'],
          registers,
        }),
    );
    this.current = reuse(
      'shopwire_jobs',
      () =>
        new Gauge({
          name: 'shopwire_jobs',
          help: 'Jobs in the table by type and status, as of the last refresh (use max across replicas)',
          labelNames: ['type', 'status'],
          registers,
        }),
    );
    this.duration = reuse(
      'shopwire_job_duration_seconds',
      () =>
        new Histogram({
          name: 'shopwire_job_duration_seconds',
          help: 'From first start to the end of a job, by its final status',
          labelNames: ['type', 'status'],
          buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600, 14400],
          registers,
        }),
    );
    this.dispatchSkipped = reuse(
      'shopwire_job_dispatch_skipped_total',
      () =>
        new Counter({
          name: 'shopwire_job_dispatch_skipped_total',
          help: 'Dispatch messages that started nothing (malformed, unknown type, not claimable)',
          labelNames: ['reason'],
          registers,
        }),
    );
  }

  entered(type: string, status: JobStatus, count = 1): void {
    this.transitions.inc({ type, status }, count);
  }

  /** Replaces the gauge with a fresh count (states that emptied go to 0). */
  observeCounts(counts: readonly { type: string; status: JobStatus; count: number }[]): void {
    this.current.reset();
    for (const { type, status, count } of counts) this.current.set({ type, status }, count);
  }
}
