import { request, type Dispatcher } from 'undici';
import { shopBaseUrl } from '../oauth/shop-url';
import { InstallRefused } from './install-refusal';

export interface AdminTokenProbeOptions {
  /** `SHOPIFY_SHOP_URL`. */
  shopUrlTemplate: string;
  apiVersion: string;
  timeoutMs: number;
  dispatcher?: Dispatcher;
}

// The cheapest query every token may run: it needs no access scope.
const PROBE_QUERY = '{ shop { name } }';

/**
 * Checks a legacy (admin-created app) token with one Admin API call before it is stored, so a
 * mistyped or revoked token is refused at registration instead of failing every later call.
 */
export class AdminTokenProbe {
  constructor(private readonly options: AdminTokenProbeOptions) {}

  /** Resolves when Shopify accepts the token; throws InstallRefused otherwise. */
  async check(shop: string, accessToken: string): Promise<void> {
    const url = `${shopBaseUrl(this.options.shopUrlTemplate, shop)}/admin/api/${this.options.apiVersion}/graphql.json`;
    let status: number;
    let text: string;
    try {
      const response = await request(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          'x-shopify-access-token': accessToken,
        },
        body: JSON.stringify({ query: PROBE_QUERY }),
        signal: AbortSignal.timeout(this.options.timeoutMs),
        headersTimeout: this.options.timeoutMs,
        bodyTimeout: this.options.timeoutMs,
        dispatcher: this.options.dispatcher,
      });
      status = response.statusCode;
      text = await response.body.text();
    } catch {
      throw new InstallRefused(
        'shopify_unavailable',
        'the Admin API could not be reached to check the token; try again',
      );
    }
    if (status === 401 || status === 403) {
      throw new InstallRefused(
        'token_rejected',
        `the Admin API refused the token (${status}); check it belongs to this shop and has not been revoked`,
      );
    }
    if (status === 402 || status === 423) {
      throw new InstallRefused(
        'token_rejected',
        `the shop is not available (${status}: frozen or locked)`,
      );
    }
    if (status === 404) {
      throw new InstallRefused('token_rejected', 'the Admin API does not know this shop (404)');
    }
    if (status !== 200) {
      throw new InstallRefused(
        'shopify_unavailable',
        `the Admin API answered ${status} while checking the token; try again`,
      );
    }
    if (!namesTheShop(text)) {
      throw new InstallRefused(
        'token_rejected',
        'the Admin API did not answer the check query with this token',
      );
    }
  }
}

function namesTheShop(text: string): boolean {
  try {
    const body = JSON.parse(text) as { data?: { shop?: { name?: unknown } } };
    return typeof body?.data?.shop?.name === 'string';
  } catch {
    return false;
  }
}
