import { Inject, Injectable } from '@nestjs/common';
import { METRICS_REGISTRY } from '@shopwire/http';
import { Counter, type Registry } from '@shopwire/observability';

/**
 * What scheduling did: installation events applied or lost to a newer one, jobs cancelled at an
 * uninstall, and scheduled jobs submitted (or found already there: a tick retried). Series are
 * looked up first, so the test's extra schedulers can share one registry.
 */
@Injectable()
export class ScheduleMetrics {
  readonly installationEvents: Counter<'type' | 'result'>;
  readonly cancelledJobs: Counter<'type'>;
  readonly scheduledJobs: Counter<'schedule' | 'result'>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    const registers = [registry];
    const reuse = <T>(name: string, create: () => T): T =>
      (registry.getSingleMetric(name) as T | undefined) ?? create();
    this.installationEvents = reuse(
      'shopwire_sync_installation_events_total',
      () =>
        new Counter({
          name: 'shopwire_sync_installation_events_total',
          help: 'shops.installation.changed.v1 events by type and result (applied, stale)',
          labelNames: ['type', 'result'],
          registers,
        }),
    );
    this.cancelledJobs = reuse(
      'shopwire_sync_uninstall_cancelled_jobs_total',
      () =>
        new Counter({
          name: 'shopwire_sync_uninstall_cancelled_jobs_total',
          help: 'Queued or running jobs cancelled because their shop uninstalled the app',
          labelNames: ['type'],
          registers,
        }),
    );
    this.scheduledJobs = reuse(
      'shopwire_sync_scheduled_jobs_total',
      () =>
        new Counter({
          name: 'shopwire_sync_scheduled_jobs_total',
          help: 'Jobs submitted by a schedule (submitted), or already there for the slot (existing), or refused (invalid); on_install: the backfill submitted when a shop is (re)installed',
          labelNames: ['schedule', 'result'],
          registers,
        }),
    );
  }
}
