import { shopBaseUrl } from '../oauth/shop-url';
import { InstallRefused } from './install-refusal';
import type { StateCheck } from './install-state';
import { verifyQueryHmac, type QueryParams } from './query-hmac';
import { parseShopDomain } from './shop-domain';
import { isFreshTimestamp } from './timestamp';

/**
 * The checks of the two browser-facing steps of the authorization-code grant, in a fixed order:
 * the signature first (nothing else in a query is trusted before it), then the shop, the
 * timestamp, and for the callback the browser's state and the code. The first failure is the
 * refusal; nothing is exchanged or stored before all have passed.
 */
export interface QueryCheckOptions {
  clientSecret: string;
  now: Date;
  maxSkewSeconds: number;
}

/**
 * `GET /auth/install?shop=…`: a merchant's link (shop only) or Shopify's signed install request
 * (`hmac`, `timestamp`, `shop`, maybe `host`), whose signature and age are checked when present.
 */
export function checkInstallRequest(
  params: QueryParams | null,
  options: QueryCheckOptions,
): string {
  if (params === null) throw new InstallRefused('bad_request', 'a query parameter is repeated');
  if (params.has('hmac')) {
    if (!verifyQueryHmac(params, options.clientSecret)) {
      throw new InstallRefused(
        'bad_hmac',
        'the install request is not signed by Shopify for this app',
      );
    }
    if (!isFreshTimestamp(params.get('timestamp'), options.now, options.maxSkewSeconds)) {
      throw new InstallRefused(
        'stale_timestamp',
        'the signed install request is too old (or from the future); start the install again',
      );
    }
  }
  return requireShop(params);
}

export interface VerifiedCallback {
  shop: string;
  code: string;
}

/** `GET /auth/callback?code&hmac&host&shop&state&timestamp` from Shopify's redirect. */
export function checkCallback(
  params: QueryParams | null,
  state: StateCheck,
  options: QueryCheckOptions,
): VerifiedCallback {
  if (params === null) throw new InstallRefused('bad_request', 'a query parameter is repeated');
  if (!verifyQueryHmac(params, options.clientSecret)) {
    throw new InstallRefused('bad_hmac', 'the callback is not signed by Shopify for this app');
  }
  const shop = requireShop(params);
  if (!isFreshTimestamp(params.get('timestamp'), options.now, options.maxSkewSeconds)) {
    throw new InstallRefused(
      'stale_timestamp',
      'the callback is too old (or from the future); start the install again',
    );
  }
  if (state === 'missing_state') {
    throw new InstallRefused(
      'missing_state',
      'this browser did not start an install (no state cookie, or no state); start the install again from /auth/install',
    );
  }
  if (state === 'state_mismatch') {
    throw new InstallRefused(
      'state_mismatch',
      'the state does not match the install this browser started; start the install again from /auth/install',
    );
  }
  const code = params.get('code');
  if (!code) throw new InstallRefused('bad_request', 'the callback has no code');
  return { shop, code };
}

function requireShop(params: QueryParams): string {
  const shop = parseShopDomain(params.get('shop'));
  if (shop === null) {
    throw new InstallRefused('bad_shop', "shop must be the store's x.myshopify.com domain");
  }
  return shop;
}

export interface AuthorizeUrlOptions {
  /** `SHOPIFY_SHOP_URL`: `https://{shop}` in production, the simulator's prefix in tests. */
  shopUrlTemplate: string;
  clientId: string;
  scopes: readonly string[];
  /** `${SHOPWIRE_PUBLIC_URL}/auth/callback`, as registered in the app's configuration. */
  redirectUri: string;
}

/** Where the merchant approves the app: `{shop}/admin/oauth/authorize?client_id&scope&redirect_uri&state`. */
export function authorizeUrl(shop: string, state: string, options: AuthorizeUrlOptions): string {
  const url = new URL(`${shopBaseUrl(options.shopUrlTemplate, shop)}/admin/oauth/authorize`);
  url.searchParams.set('client_id', options.clientId);
  url.searchParams.set('scope', options.scopes.join(','));
  url.searchParams.set('redirect_uri', options.redirectUri);
  url.searchParams.set('state', state);
  return url.toString();
}
