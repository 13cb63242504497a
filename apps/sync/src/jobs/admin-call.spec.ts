import { JobFailedError } from '@shopwire/jobs';
import { RetriesExhaustedError } from '@shopwire/resilience';
import { ShopCredentialsError } from '@shopwire/shop-credentials';
import { ShopifyAdminError } from '@shopwire/shopify-admin';
import { NoShopAccessError } from '../admin-api/sync-admin-client';
import { adminCall, isAdminOutage, requireAdminAccess } from './admin-call';

const outage = () =>
  new RetriesExhaustedError(
    6,
    new ShopifyAdminError('HTTP_5XX', 'graphql call answered 503', { transient: true }),
  );
const breakerOpen = () => Object.assign(new Error('Breaker is open'), { code: 'EOPENBREAKER' });

describe('adminCall', () => {
  const noSleep = { sleep: () => Promise.resolve() };

  it('waits an outage out and returns the answer', async () => {
    const failures = [outage(), breakerOpen()];
    const call = jest.fn(() => {
      const failure = failures.shift();
      return failure ? Promise.reject(failure) : Promise.resolve('ok');
    });
    await expect(
      adminCall(call, { signal: new AbortController().signal, ...noSleep }),
    ).resolves.toBe('ok');
    expect(call).toHaveBeenCalledTimes(3);
  });

  it('fails the job on a refusal, at once', async () => {
    const call = jest.fn(() =>
      Promise.reject(new ShopifyAdminError('HTTP_4XX', 'rest call answered 401', { status: 401 })),
    );
    await expect(
      adminCall(call, { signal: new AbortController().signal, ...noSleep }),
    ).rejects.toThrow(JobFailedError);
    expect(call).toHaveBeenCalledTimes(1);
  });

  it('stops waiting when the job is stopped', async () => {
    const controller = new AbortController();
    const call = jest.fn(() => {
      controller.abort();
      return Promise.reject(outage());
    });
    await expect(adminCall(call, { signal: controller.signal, ...noSleep })).rejects.toBeInstanceOf(
      RetriesExhaustedError,
    );
    expect(call).toHaveBeenCalledTimes(1);
  });

  it('gives up once waiting longer would pass its patience', async () => {
    let clock = 0;
    const call = jest.fn(() => Promise.reject(outage()));
    await expect(
      adminCall(call, {
        signal: new AbortController().signal,
        patienceMs: 10_000,
        baseMs: 1000,
        capMs: 1000,
        minDelayMs: 1000,
        now: () => clock,
        sleep: (ms) => {
          clock += ms;
          return Promise.resolve();
        },
      }),
    ).rejects.toBeInstanceOf(RetriesExhaustedError);
    // 1 s between rounds: rounds at 0…10 s, the next wait would pass the 10 s patience.
    expect(call).toHaveBeenCalledTimes(11);
  });

  it('tells outages from refusals', () => {
    expect(isAdminOutage(outage())).toBe(true);
    expect(isAdminOutage(breakerOpen())).toBe(true);
    expect(isAdminOutage(new ShopifyAdminError('GRAPHQL', 'bad field'))).toBe(false);
    // the shops service not answering for now is waited out like Shopify's outage
    expect(isAdminOutage(new ShopCredentialsError('unavailable', 'a.myshopify.com', 'down'))).toBe(
      true,
    );
    expect(isAdminOutage(new ShopCredentialsError('refused', 'a.myshopify.com', '401'))).toBe(
      false,
    );
  });

  it.each([
    ['a token refused after its replacement', new ShopifyAdminError('UNAUTHORIZED', 'again')],
    ['a shop uninstalled mid-job', new NoShopAccessError('a.myshopify.com', 'not_installed')],
  ])('fails the job at once on %s', async (_what, failure) => {
    const call = jest.fn(() => Promise.reject(failure));
    const error = await adminCall(call, {
      signal: new AbortController().signal,
      ...noSleep,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JobFailedError);
    expect(call).toHaveBeenCalledTimes(1);
  });
});

describe('requireAdminAccess', () => {
  const SHOP = 'a.myshopify.com';

  it('fails the job, with the reason, when the shop cannot be called', async () => {
    const admin = {
      assertAccess: () => Promise.reject(new NoShopAccessError(SHOP, 'reauth_required')),
    };
    const error = await requireAdminAccess(admin, SHOP).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JobFailedError);
    expect((error as Error).message).toMatch(/authorise the app again/);
  });

  it('lets a shops service outage through, so the job is tried again later', async () => {
    const down = new ShopCredentialsError('unavailable', SHOP, 'down');
    await expect(
      requireAdminAccess({ assertAccess: () => Promise.reject(down) }, SHOP),
    ).rejects.toBe(down);
    await expect(
      requireAdminAccess({ assertAccess: () => Promise.resolve() }, SHOP),
    ).resolves.toBeUndefined();
  });
});
