import { SHOPIFY_MAX_RETRIES, shopifyRetryDelaysMs } from './retry-schedule';

describe('shopifyRetryDelaysMs', () => {
  it('schedules 8 retries, each twice as long as the one before, spanning 4 hours', () => {
    const delays = shopifyRetryDelaysMs();
    expect(delays).toHaveLength(8);
    expect(SHOPIFY_MAX_RETRIES).toBe(8);
    for (let i = 1; i < delays.length; i++) expect(delays[i]! / delays[i - 1]!).toBeCloseTo(2, 10);
    const total = delays.reduce((sum, d) => sum + d, 0);
    expect(total).toBeCloseTo(4 * 3600_000, 0);
    expect(delays[0]! / 1000).toBeGreaterThan(50);
    expect(delays[0]! / 1000).toBeLessThan(70);
  });

  it('compresses the whole schedule by the time scale', () => {
    const scaled = shopifyRetryDelaysMs(0.0001);
    expect(scaled.reduce((sum, d) => sum + d, 0)).toBeCloseTo(1440, 6);
    expect(scaled[7]! / scaled[0]!).toBeCloseTo(128, 10);
  });

  it('rejects a non-positive scale', () => {
    expect(() => shopifyRetryDelaysMs(0)).toThrow();
  });
});
