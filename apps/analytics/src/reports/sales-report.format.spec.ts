import {
  contentTypeOf,
  dayCount,
  nextDay,
  reportHead,
  reportRows,
  reportTail,
  stepEnd,
} from './sales-report.format';

const rows = [
  { day: '2026-02-28', currency: 'EUR', orders: 2, gross: '10.50', tax: '1.00', discounts: '0' },
  { day: '2026-02-28', currency: 'USD', orders: 1, gross: '-3.25', tax: '0', discounts: '0.10' },
];

describe('sales report days', () => {
  it('walks UTC days across month and leap-year ends', () => {
    expect(nextDay('2026-02-28')).toBe('2026-03-01');
    expect(nextDay('2028-02-28')).toBe('2028-02-29');
    expect(nextDay('2026-12-31')).toBe('2027-01-01');
    expect(dayCount('2026-01-01', '2026-01-01')).toBe(1);
    expect(dayCount('2026-01-01', '2026-12-31')).toBe(365);
    // Daylight-saving changes do not exist in UTC; a range across one still counts days exactly.
    expect(dayCount('2026-03-01', '2026-03-31')).toBe(31);
  });

  it('cuts steps at the end of the range', () => {
    expect(stepEnd('2026-01-01', 31, '2026-12-31')).toBe('2026-01-31');
    expect(stepEnd('2026-12-20', 31, '2026-12-31')).toBe('2026-12-31');
    expect(stepEnd('2026-12-31', 1, '2026-12-31')).toBe('2026-12-31');
  });
});

describe('sales report formats', () => {
  const params = { shop: 'a.myshopify.com', from: '2026-02-01', to: '2026-02-28' };

  it('CSV: header, one line per day and currency, money as written', () => {
    const csv = reportHead('csv', params) + reportRows('csv', rows, 0) + reportTail('csv');
    expect(csv).toBe(
      'day,currency,orders,gross,tax,discounts\n' +
        '2026-02-28,EUR,2,10.50,1.00,0\n' +
        '2026-02-28,USD,1,-3.25,0,0.10\n',
    );
    expect(contentTypeOf('csv')).toBe('text/csv; charset=utf-8');
  });

  it('JSON assembled from steps is one valid document, whatever the step boundaries', () => {
    const whole = reportHead('json', params) + reportRows('json', rows, 0) + reportTail('json');
    const split =
      reportHead('json', params) +
      reportRows('json', [], 0) +
      reportRows('json', rows.slice(0, 1), 0) +
      reportRows('json', rows.slice(1), 1) +
      reportTail('json');
    expect(split).toBe(whole);
    expect(JSON.parse(whole)).toEqual({ ...params, days: rows });
    expect(JSON.parse(reportHead('json', params) + reportTail('json'))).toEqual({
      ...params,
      days: [],
    });
  });
});
