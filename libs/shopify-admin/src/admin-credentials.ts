import { ShopifyAdminError } from './errors';

/** The shop's offline access token. Never logged. May throw (e.g. the shop is not installed). */
export type AccessTokenSource = (shop: string) => string | Promise<string>;

/**
 * Shopify answered 401 to `rejectedToken` (expired, revoked, rotated by another replica): report
 * it and return the token to use instead. Never logged.
 */
export type UnauthorizedHandler = (shop: string, rejectedToken: string) => string | Promise<string>;

export function isUnauthorized(error: unknown): boolean {
  return error instanceof ShopifyAdminError && error.code === 'UNAUTHORIZED';
}

/**
 * Runs one Admin API attempt with the shop's token. The token is fetched before the attempt
 * spends any budget or sends anything, so a token source that refuses (a shop that is not
 * installed) fails the call without calling Shopify. After a 401, `onUnauthorized` is asked once
 * for a new token and the attempt runs once more with it; a second 401 fails for good.
 */
export async function withShopToken<T>(
  shop: string,
  accessToken: AccessTokenSource,
  onUnauthorized: UnauthorizedHandler | undefined,
  attempt: (token: string) => Promise<T>,
): Promise<T> {
  const token = await accessToken(shop);
  try {
    return await attempt(token);
  } catch (error) {
    if (!onUnauthorized || !isUnauthorized(error)) throw error;
  }
  const replacement = await onUnauthorized(shop, token);
  try {
    return await attempt(replacement);
  } catch (error) {
    if (!isUnauthorized(error)) throw error;
    throw new ShopifyAdminError(
      'UNAUTHORIZED',
      `Shopify refused ${shop}'s access token again after it was replaced (401); ` +
        'the installation needs attention',
      { status: 401, cause: error },
    );
  }
}
