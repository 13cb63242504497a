import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Every outcome a delivery can have; the `result` label. */
export type DeliveryResult = 'delivered' | 'retry' | 'gave_up' | 'breaker_open';

/**
 * One set of series for every leased outbound worker of a process, told apart by `queue` (the
 * email intents, ERP orders, ERP redactions, job callbacks) rather than by metric name, so one
 * dashboard panel and one alert cover them all. Series are looked up before they are created:
 * several workers (or a restarted one) share a registry.
 */
export class DeliveryMetrics {
  readonly deliveries: Counter<'queue' | 'kind' | 'result'>;
  readonly seconds: Histogram<'queue' | 'result'>;
  readonly backlog: Gauge<'queue' | 'status'>;

  constructor(registry: Registry | undefined) {
    const registers = registry ? [registry] : [];
    const reuse = <T>(name: string, create: (name: string) => T): T =>
      (registry?.getSingleMetric(name) as T | undefined) ?? create(name);
    this.deliveries = reuse(
      'shopwire_outbound_deliveries_total',
      (name) =>
        new Counter({
          name,
          help: 'Delivery attempts by queue, kind and result: delivered, retry (failed, due again later), gave_up (dead), breaker_open (not attempted)',
          labelNames: ['queue', 'kind', 'result'],
          registers,
        }),
    );
    this.seconds = reuse(
      'shopwire_outbound_delivery_duration_seconds',
      (name) =>
        new Histogram({
          name,
          help: 'Time of one delivery, in-process retries and Retry-After waits included',
          labelNames: ['queue', 'result'],
          buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
          registers,
        }),
    );
    this.backlog = reuse(
      'shopwire_outbound_backlog',
      (name) =>
        new Gauge({
          name,
          help: 'Rows not yet delivered, by queue and status, as of the last sample (every replica reports the table: aggregate with max)',
          labelNames: ['queue', 'status'],
          registers,
        }),
    );
  }

  observe(queue: string, kind: string, result: DeliveryResult, startedAt: number): void {
    this.deliveries.inc({ queue, kind, result });
    this.seconds.observe({ queue, result }, (performance.now() - startedAt) / 1000);
  }
}
