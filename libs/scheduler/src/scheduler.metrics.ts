import { Counter, Gauge, type Registry } from 'prom-client';

/**
 * Runs by schedule and outcome, slots folded into a catch-up run, and the last slot run. Series
 * are looked up before they are created so two schedulers (or a restarted one) share a registry.
 * The last-slot gauge is per replica; aggregate it with max.
 */
export class SchedulerMetrics {
  readonly runs: Counter<'schedule' | 'outcome'>;
  readonly missed: Counter<'schedule'>;
  readonly lastSlot: Gauge<'schedule'>;

  constructor(registry: Registry | undefined) {
    const registers = registry ? [registry] : [];
    const reuse = <T>(name: string, create: () => T): T =>
      (registry?.getSingleMetric(name) as T | undefined) ?? create();
    this.runs = reuse(
      'shopwire_scheduler_runs_total',
      () =>
        new Counter({
          name: 'shopwire_scheduler_runs_total',
          help: 'Schedule runs on this replica by outcome (ran, failed); summed over replicas, one per slot',
          labelNames: ['schedule', 'outcome'],
          registers,
        }),
    );
    this.missed = reuse(
      'shopwire_scheduler_missed_slots_total',
      () =>
        new Counter({
          name: 'shopwire_scheduler_missed_slots_total',
          help: 'Slots that passed with no replica running them, folded into one catch-up run',
          labelNames: ['schedule'],
          registers,
        }),
    );
    this.lastSlot = reuse(
      'shopwire_scheduler_last_slot_timestamp_seconds',
      () =>
        new Gauge({
          name: 'shopwire_scheduler_last_slot_timestamp_seconds',
          help: 'The latest slot this replica ran, per schedule (use max across replicas)',
          labelNames: ['schedule'],
          registers,
        }),
    );
  }
}
