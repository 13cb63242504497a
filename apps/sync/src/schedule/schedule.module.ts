import {
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { METRICS_REGISTRY } from '@shopwire/http';
import { JOBS_RUNTIME, type JobsRuntime } from '@shopwire/jobs';
import type { Logger, Registry } from '@shopwire/observability';
import type { DataSource } from 'typeorm';
import { SERVICE_CONFIG, SERVICE_DATA_SOURCE, SERVICE_LOGGER } from '@shopwire/service-runtime';
import type { SyncConfig } from '../config';
import { scheduleSettings } from './schedule-config';
import { ScheduleMetrics } from './schedule.metrics';
import { ShopInstallationsRepository } from './shop-installations.repository';
import { SyncSchedule } from './sync-schedule';

/** The installed shops (written by the sync consumer) and the schedule's metrics. */
@Module({
  providers: [ShopInstallationsRepository, ScheduleMetrics],
  exports: [ShopInstallationsRepository, ScheduleMetrics],
})
export class ShopInstallationsModule {}

/**
 * Starts polling once the app is up (unless `SCHEDULE_ENABLED=false`) and stops in
 * `onModuleDestroy`, before the pool closes, letting a run in progress commit or roll back.
 */
@Injectable()
export class SyncScheduleLifecycle implements OnApplicationBootstrap, OnModuleDestroy {
  readonly schedule: SyncSchedule;
  private readonly enabled: boolean;

  constructor(
    @Inject(SERVICE_CONFIG) config: SyncConfig,
    @Inject(SERVICE_DATA_SOURCE) dataSource: DataSource,
    @Inject(JOBS_RUNTIME) jobs: JobsRuntime,
    @Inject(SERVICE_LOGGER) logger: Logger,
    @Inject(METRICS_REGISTRY) registry: Registry,
    installations: ShopInstallationsRepository,
    metrics: ScheduleMetrics,
  ) {
    const settings = scheduleSettings(config);
    this.enabled = settings.enabled;
    this.schedule = new SyncSchedule({
      dataSource,
      jobs,
      installations,
      metrics,
      logger,
      settings,
      registry,
    });
  }

  onApplicationBootstrap(): void {
    if (this.enabled) this.schedule.start();
  }

  onModuleDestroy(): Promise<void> {
    return this.schedule.stop();
  }
}

/** Scheduled order backfill and inventory reconciliation; `jobs` is the app's jobs module. */
export function scheduleModule(jobs: DynamicModule): DynamicModule {
  return {
    module: ScheduleModule,
    imports: [jobs, ShopInstallationsModule],
    providers: [SyncScheduleLifecycle],
    exports: [SyncScheduleLifecycle],
  };
}

@Module({})
export class ScheduleModule {}
