import { Inject, Injectable } from '@nestjs/common';
import { z } from '@shopwire/config';
import type { JobCompletion, JobContext, JobHandler } from '@shopwire/jobs';
import { SERVICE_CONFIG } from '@shopwire/service-runtime';
import type { AnalyticsConfig } from '../config';
import { checkRange, salesRange } from '../sales/dto/sales.dto';
import { SalesRepository } from '../sales/sales.repository';
import {
  contentTypeOf,
  dayCount,
  nextDay,
  reportHead,
  reportRows,
  reportTail,
  stepEnd,
} from './sales-report.format';

export const salesReportParams = salesRange
  .extend({ format: z.enum(['csv', 'json']).default('csv') })
  .strict()
  .superRefine(checkRange);

export type SalesReportParams = z.infer<typeof salesReportParams>;

/** Where a resumed report continues: the next day to read, and how many rows are written. */
export interface SalesReportCheckpoint {
  next: string;
  rows: number;
}

/**
 * `sales-report`: daily sales (per UTC day and currency) of one shop over a date range, as CSV or
 * JSON. Reads `SALES_REPORT_DAYS_PER_STEP` days per step; each step appends its rows to the
 * job's output and records the next day in the same transaction, so a report resumed on another
 * replica after a crash neither repeats nor skips a day. Each step's days are read as they are
 * at that moment (a report over a range still receiving orders is not one snapshot).
 */
@Injectable()
export class SalesReportJob implements JobHandler<SalesReportParams, SalesReportCheckpoint> {
  readonly type = 'sales-report';
  readonly params = salesReportParams;

  constructor(
    private readonly sales: SalesRepository,
    @Inject(SERVICE_CONFIG) private readonly config: AnalyticsConfig,
  ) {}

  async run(context: JobContext<SalesReportParams, SalesReportCheckpoint>): Promise<JobCompletion> {
    const { shop, from, to, format } = context.params;
    const total = dayCount(from, to);
    const perStep = this.config.SALES_REPORT_DAYS_PER_STEP;
    let next = context.checkpoint?.next ?? from;
    let written = context.checkpoint?.rows ?? 0;
    while (next <= to) {
      await context.pace();
      const first = next;
      const last = stepEnd(first, perStep, to);
      const before = written;
      await context.step(async ({ manager, appendOutput }) => {
        if (first === from) appendOutput(reportHead(format, context.params));
        const rows = await this.sales.dailySales(shop, first, last, manager);
        appendOutput(reportRows(format, rows, before));
        const checkpoint = { next: nextDay(last), rows: before + rows.length };
        return { checkpoint, processed: dayCount(from, last), total };
      });
      // Only once the step committed: the checkpoint the context now holds.
      ({ next, rows: written } = context.checkpoint!);
    }
    return {
      contentType: contentTypeOf(format),
      filename: `sales-${shop.replace(/\.myshopify\.com$/, '')}-${from}-${to}.${format}`,
      summary: { days: total, rows: written },
      tail: reportTail(format),
    };
  }
}
