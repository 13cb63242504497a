import { nextRetryDelay } from '@shopwire/resilience';
import { adminRetryOptions } from './admin-client';
import { ShopifyAdminError } from './errors';

const options = {
  ...adminRetryOptions({ attempts: 5, baseMs: 100, capMs: 1000 }),
  random: () => 0.5,
};

describe('adminRetryOptions', () => {
  it('backs off exponentially with full jitter, capped', () => {
    const fault = new ShopifyAdminError('HTTP_5XX', '503', { transient: true, status: 503 });
    expect([1, 2, 3, 4].map((attempt) => nextRetryDelay(attempt, fault, options))).toEqual([
      50, 100, 200, 400,
    ]);
    expect(nextRetryDelay(5, fault, options)).toBeNull();
    const capped = {
      ...adminRetryOptions({ attempts: 20, baseMs: 100, capMs: 1000 }),
      random: () => 0.5,
    };
    expect(nextRetryDelay(12, fault, capped)).toBe(500);
  });

  it('waits at least the 429 Retry-After seconds', () => {
    const limited = new ShopifyAdminError('RATE_LIMITED', '429', {
      transient: true,
      retryAfterMs: 2000,
    });
    expect(nextRetryDelay(1, limited, options)).toBe(2000);
  });

  it('retries a THROTTLED after a short jitter (the budget then waits for the restore)', () => {
    const throttled = new ShopifyAdminError('THROTTLED', 'Throttled', { transient: true });
    expect(nextRetryDelay(1, throttled, options)).toBe(50);
  });

  it('never retries a client error, a GraphQL error or an open breaker', () => {
    expect(
      nextRetryDelay(1, new ShopifyAdminError('HTTP_4XX', '401', { status: 401 }), options),
    ).toBeNull();
    expect(
      nextRetryDelay(1, new ShopifyAdminError('MAX_COST_EXCEEDED', 'too dear'), options),
    ).toBeNull();
    const open = Object.assign(new Error('Breaker is open'), { code: 'EOPENBREAKER' });
    expect(nextRetryDelay(1, open, options)).toBeNull();
    expect(nextRetryDelay(1, new Error('a bug'), options)).toBeNull();
  });
});
