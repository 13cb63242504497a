import type { DailySalesRow } from '../sales/sales.repository';

export type ReportFormat = 'csv' | 'json';

export const CSV_COLUMNS = ['day', 'currency', 'orders', 'gross', 'tax', 'discounts'] as const;

/** One UTC day after `day` (YYYY-MM-DD). */
export function nextDay(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + 1);
  return date.toISOString().slice(0, 10);
}

/** `day` plus `n - 1` days, but not past `last`: the end of a step of `n` days. */
export function stepEnd(day: string, n: number, last: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + n - 1);
  const end = date.toISOString().slice(0, 10);
  return end > last ? last : end;
}

/** Days from `from` to `to`, both included. */
export function dayCount(from: string, to: string): number {
  return (
    Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1
  );
}

function csvCell(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** What opens the document: the CSV header row, or the JSON object up to its array. */
export function reportHead(
  format: ReportFormat,
  params: { shop: string; from: string; to: string },
): string {
  if (format === 'csv') return `${CSV_COLUMNS.join(',')}\n`;
  return `{"shop":${JSON.stringify(params.shop)},"from":"${params.from}","to":"${params.to}","days":[`;
}

/**
 * Rows as they continue the document; `written` is how many rows came before, so a JSON row
 * knows whether it needs a separating comma. Money stays a decimal string.
 */
export function reportRows(
  format: ReportFormat,
  rows: readonly DailySalesRow[],
  written: number,
): string {
  if (format === 'csv') {
    return rows
      .map((row) => `${CSV_COLUMNS.map((column) => csvCell(row[column] ?? '')).join(',')}\n`)
      .join('');
  }
  return rows
    .map((row, index) => {
      const json = JSON.stringify({
        day: row.day,
        currency: row.currency,
        orders: row.orders,
        gross: row.gross,
        tax: row.tax,
        discounts: row.discounts,
      });
      return written + index === 0 ? json : `,${json}`;
    })
    .join('');
}

export function reportTail(format: ReportFormat): string {
  return format === 'csv' ? '' : ']}';
}

export function contentTypeOf(format: ReportFormat): string {
  return format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json';
}
