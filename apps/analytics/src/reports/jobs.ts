import type { DynamicModule } from '@nestjs/common';
import { JobQueue } from '@shopwire/contracts';
import { JobsModule, jobsSettings } from '@shopwire/jobs';
import type { Logger } from '@shopwire/observability';
import type { DataSource } from 'typeorm';
import { SERVICE_DATA_SOURCE, SERVICE_LOGGER } from '@shopwire/service-runtime';
import type { AnalyticsConfig } from '../config';
import { ReportsModule } from './reports.module';
import { SalesReportJob } from './sales-report.job';

/**
 * `/jobs` and the job runtime of the analytics service (topic `shopwire.jobs.analytics.v1`); its
 * dispatch consumer is a `@ConsumeChunks` handler on the service's transport (group `jobs`).
 */
export function analyticsJobsModule(config: AnalyticsConfig): DynamicModule {
  return JobsModule.forService({
    imports: [ReportsModule],
    inject: [SERVICE_DATA_SOURCE, SERVICE_LOGGER, SalesReportJob],
    useFactory: (dataSource: DataSource, logger: Logger, salesReport: SalesReportJob) => ({
      service: JobQueue.Analytics,
      dataSource,
      logger,
      handlers: [salesReport],
      settings: jobsSettings(config),
    }),
  });
}
