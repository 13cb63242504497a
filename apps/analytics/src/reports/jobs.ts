import type { DynamicModule } from '@nestjs/common';
import { JobQueue } from '@shopwire/contracts';
import { JobsModule, jobsSettings } from '@shopwire/jobs';
import type { Logger } from '@shopwire/observability';
import type { Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { SERVICE_DATA_SOURCE, SERVICE_KAFKA, SERVICE_LOGGER } from '@shopwire/service-runtime';
import type { AnalyticsConfig } from '../config';
import { ReportsModule } from './reports.module';
import { SalesReportJob } from './sales-report.job';

/** `/jobs` and the job runtime of the analytics service (topic `shopwire.jobs.analytics.v1`). */
export function analyticsJobsModule(config: AnalyticsConfig): DynamicModule {
  return JobsModule.forService({
    imports: [ReportsModule],
    inject: [SERVICE_DATA_SOURCE, SERVICE_KAFKA, SERVICE_LOGGER, SalesReportJob],
    useFactory: (
      dataSource: DataSource,
      kafka: Kafka,
      logger: Logger,
      salesReport: SalesReportJob,
    ) => ({
      service: JobQueue.Analytics,
      dataSource,
      kafka,
      logger,
      handlers: [salesReport],
      settings: jobsSettings(config),
    }),
  });
}
