import { isUnauthorized, withShopToken } from './admin-credentials';
import { ShopifyAdminError } from './errors';

const SHOP = 'acme.myshopify.com';
const unauthorized = () =>
  new ShopifyAdminError('UNAUTHORIZED', 'graphql call answered 401 (access token refused)', {
    status: 401,
  });

class NotInstalled extends Error {}

describe('withShopToken', () => {
  it('asks for the token before the attempt, and a refusal there sends nothing', async () => {
    const attempt = jest.fn(async (token: string) => token);
    await expect(
      withShopToken(
        SHOP,
        () => {
          throw new NotInstalled('not installed');
        },
        undefined,
        attempt,
      ),
    ).rejects.toBeInstanceOf(NotInstalled);
    expect(attempt).not.toHaveBeenCalled();
  });

  it('after a 401 reports the rejected token once and runs again with its replacement', async () => {
    const tokens: string[] = [];
    const onUnauthorized = jest.fn(async () => 'shpat_new');
    const result = await withShopToken(
      SHOP,
      async () => 'shpat_old',
      onUnauthorized,
      async (token) => {
        tokens.push(token);
        if (token === 'shpat_old') throw unauthorized();
        return 'ok';
      },
    );
    expect(result).toBe('ok');
    expect(tokens).toEqual(['shpat_old', 'shpat_new']);
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
    expect(onUnauthorized).toHaveBeenCalledWith(SHOP, 'shpat_old');
  });

  it('fails for good on a second 401, without the token in the message', async () => {
    const onUnauthorized = jest.fn(async () => 'shpat_new');
    const error = (await withShopToken(
      SHOP,
      () => 'shpat_old',
      onUnauthorized,
      async () => {
        throw unauthorized();
      },
    ).catch((e: unknown) => e)) as ShopifyAdminError;
    expect(isUnauthorized(error)).toBe(true);
    expect(error.transient).toBe(false);
    expect(error.message).toMatch(/again/);
    expect(error.message).not.toContain('shpat');
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
  });

  it('passes a 401 through when nobody handles it, and other failures untouched', async () => {
    await expect(
      withShopToken(
        SHOP,
        () => 't',
        undefined,
        async () => {
          throw unauthorized();
        },
      ),
    ).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    const onUnauthorized = jest.fn(async () => 'x');
    await expect(
      withShopToken(
        SHOP,
        () => 't',
        onUnauthorized,
        async () => {
          throw new ShopifyAdminError('HTTP_5XX', 'x', { transient: true, status: 502 });
        },
      ),
    ).rejects.toMatchObject({ code: 'HTTP_5XX' });
    expect(onUnauthorized).not.toHaveBeenCalled();
  });
});
