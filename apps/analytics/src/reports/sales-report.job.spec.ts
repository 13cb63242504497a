import type { JobContext, StepOutcome, StepTransaction } from '@shopwire/jobs';
import pino from 'pino';
import type { EntityManager } from 'typeorm';
import type { AnalyticsConfig } from '../config';
import type { DailySalesRow, SalesRepository } from '../sales/sales.repository';
import {
  SalesReportJob,
  salesReportParams,
  type SalesReportCheckpoint,
  type SalesReportParams,
} from './sales-report.job';

const ROWS: DailySalesRow[] = [
  { day: '2026-10-01', currency: 'USD', orders: 1, gross: '1.00', tax: '0', discounts: '0' },
  { day: '2026-10-03', currency: 'EUR', orders: 2, gross: '2.50', tax: '0.10', discounts: '0' },
  { day: '2026-10-03', currency: 'USD', orders: 3, gross: '3.00', tax: '0', discounts: '0.20' },
  { day: '2026-10-07', currency: 'USD', orders: 4, gross: '4.00', tax: '0', discounts: '0' },
];

const sales = {
  dailySales: (_shop: string, from: string, to: string) =>
    Promise.resolve(ROWS.filter((row) => row.day >= from && row.day <= to)),
} as unknown as SalesRepository;

/**
 * A context that behaves like the jobs runtime: a step's output and checkpoint are kept only if
 * the step "commits"; `crashAfter` makes the step after that many commits throw, as a killed
 * worker would leave it.
 */
function context(
  params: SalesReportParams,
  committed: { checkpoint: SalesReportCheckpoint | null; output: string[] },
  crashAfter = Infinity,
): JobContext<SalesReportParams, SalesReportCheckpoint> {
  let steps = 0;
  return {
    id: 'job',
    type: 'sales-report',
    params,
    attempt: 1,
    get checkpoint() {
      return committed.checkpoint;
    },
    signal: new AbortController().signal,
    logger: pino({ level: 'silent' }),
    isCancelled: () => false,
    progress: () => Promise.resolve(),
    pace: () => Promise.resolve(),
    async step(work: (tx: StepTransaction) => Promise<StepOutcome<SalesReportCheckpoint>>) {
      const pending: string[] = [];
      const outcome = await work({
        manager: {} as EntityManager,
        appendOutput: (data) => pending.push(data.toString()),
      });
      if (++steps > crashAfter) throw new Error('worker killed');
      committed.output.push(...pending);
      committed.checkpoint = outcome.checkpoint;
    },
  };
}

async function runToEnd(params: SalesReportParams, perStep: number, crashAfter?: number) {
  const job = new SalesReportJob(sales, {
    SALES_REPORT_DAYS_PER_STEP: perStep,
  } as AnalyticsConfig);
  const committed = { checkpoint: null as SalesReportCheckpoint | null, output: [] as string[] };
  if (crashAfter !== undefined) {
    await expect(job.run(context(params, committed, crashAfter))).rejects.toThrow('killed');
  }
  const completion = await job.run(context(params, committed));
  return { body: committed.output.join('') + String(completion.tail ?? ''), completion };
}

describe('SalesReportJob', () => {
  const json = salesReportParams.parse({
    shop: 'acme.myshopify.com',
    from: '2026-10-01',
    to: '2026-10-09',
    format: 'json',
  });
  const csv = { ...json, format: 'csv' as const };

  it('resumed after a crash at any step, writes exactly what an uninterrupted run writes', async () => {
    for (const params of [json, csv]) {
      for (const perStep of [1, 2, 31]) {
        const clean = await runToEnd(params, perStep);
        const steps = Math.ceil(9 / perStep);
        for (const crashAfter of [0, 1, 2, 3, 5].filter((n) => n < steps)) {
          const resumed = await runToEnd(params, perStep, crashAfter);
          expect(resumed.body).toBe(clean.body);
        }
      }
    }
  });

  it('JSON is one document with every row; CSV has one header', async () => {
    const { body, completion } = await runToEnd(json, 2, 2);
    expect(JSON.parse(body)).toEqual({ shop: json.shop, from: json.from, to: json.to, days: ROWS });
    expect(completion).toMatchObject({
      contentType: 'application/json',
      filename: 'sales-acme-2026-10-01-2026-10-09.json',
      summary: { days: 9, rows: 4 },
    });
    const text = (await runToEnd(csv, 1, 4)).body;
    expect(text.split('\n').filter((line) => line.startsWith('day,'))).toHaveLength(1);
    expect(text.trim().split('\n')).toHaveLength(1 + ROWS.length);
  });

  it('refuses a range over 366 days, an inverted range and unknown params', () => {
    const base = { shop: 'acme.myshopify.com', from: '2026-01-01', to: '2026-01-02' };
    expect(salesReportParams.safeParse({ ...base, to: '2027-01-02' }).success).toBe(false);
    expect(salesReportParams.safeParse({ ...base, from: '2026-01-03' }).success).toBe(false);
    expect(salesReportParams.safeParse({ ...base, limit: 1 }).success).toBe(false);
    expect(salesReportParams.parse(base).format).toBe('csv');
  });
});
