import { Module } from '@nestjs/common';
import { SalesModule } from '../sales/sales.module';
import { SalesReportJob } from './sales-report.job';

/** The analytics job types (handlers for `@shopwire/jobs`). */
@Module({
  imports: [SalesModule],
  providers: [SalesReportJob],
  exports: [SalesReportJob],
})
export class ReportsModule {}
