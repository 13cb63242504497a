import { breakerSummary } from './health.controller';

describe('breakerSummary', () => {
  it('names shared breakers and counts per-shop ones by state without naming the shops', () => {
    const summary = breakerSummary(
      new Map([
        ['erp', 0],
        ['shopify-admin:a.myshopify.com', 0],
        ['shopify-admin:b.myshopify.com', 0],
        ['shopify-admin:c.myshopify.com', 2],
      ]),
    );
    expect(summary).toEqual([
      ['erp', 'closed'],
      ['shopify-admin:<shop> ×2', 'closed'],
      ['shopify-admin:<shop> ×1', 'open'],
    ]);
    expect(JSON.stringify(summary)).not.toContain('myshopify.com');
  });
});
