import { request, type Dispatcher } from 'undici';
import { shopBaseUrl } from './shop-url';

/** How an installation got its token (stored in `installations.grant_type`). */
export type GrantType = 'authorization_code' | 'token_exchange' | 'client_credentials' | 'legacy';

export interface TokenGrant {
  accessToken: string;
  scopes: string[];
  /** Null: a non-expiring token. */
  expiresAt: Date | null;
  refreshToken: string | null;
  refreshTokenExpiresAt: Date | null;
}

/**
 * Shopify's token endpoint refused the request or could not be reached. `code` is Shopify's
 * `error` (`invalid_grant`, `invalid_client`, `invalid_request`, …) or `unreachable`, `timeout`,
 * `server_error`, `invalid_response`. Never carries a token, code, secret or Shopify's body.
 */
export class TokenEndpointError extends Error {
  override readonly name = 'TokenEndpointError';

  constructor(
    readonly code: string,
    readonly status: number | null,
    /** True when the same request may succeed later (network, timeout, 429, 5xx). */
    readonly transient: boolean,
    message: string,
  ) {
    super(message);
  }
}

export interface ShopifyTokenEndpointOptions {
  clientId: string;
  clientSecret: string;
  /** `SHOPIFY_SHOP_URL`: `https://{shop}`, or the simulator's `http://127.0.0.1:3100/shops/{shop}`. */
  shopUrlTemplate: string;
  /** Ask for expiring offline tokens (`expiring: 1`) on the code and token-exchange grants. */
  expiringOfflineTokens: boolean;
  /** Whole request budget: connect, headers and body. */
  timeoutMs?: number;
  dispatcher?: Dispatcher;
  now?: () => number;
}

const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ID_TOKEN = 'urn:ietf:params:oauth:token-type:id_token';
const OFFLINE_TOKEN = 'urn:shopify:params:oauth:token-type:offline-access-token';
// Shopify's error codes are short snake_case words; anything else is not echoed into our errors.
const ERROR_CODE = /^[a-z_]{1,40}$/;

/**
 * The four grants of `POST {shop}/admin/oauth/access_token`. One attempt per call: the caller
 * decides about retries, because whether a retry is safe differs by grant (a code is single-use,
 * a refresh may have rotated the token already).
 */
export class ShopifyTokenEndpoint {
  private readonly timeoutMs: number;
  private readonly now: () => number;

  constructor(private readonly options: ShopifyTokenEndpointOptions) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  authorizationCode(shop: string, code: string): Promise<TokenGrant> {
    return this.post(shop, 'authorization code', { code, ...this.expiring() });
  }

  tokenExchange(shop: string, sessionToken: string): Promise<TokenGrant> {
    return this.post(shop, 'token exchange', {
      grant_type: TOKEN_EXCHANGE,
      subject_token: sessionToken,
      subject_token_type: ID_TOKEN,
      requested_token_type: OFFLINE_TOKEN,
      ...this.expiring(),
    });
  }

  clientCredentials(shop: string): Promise<TokenGrant> {
    return this.post(shop, 'client credentials', { grant_type: 'client_credentials' });
  }

  refresh(shop: string, refreshToken: string): Promise<TokenGrant> {
    return this.post(shop, 'refresh', { grant_type: 'refresh_token', refresh_token: refreshToken });
  }

  private expiring(): Record<string, number> {
    return this.options.expiringOfflineTokens ? { expiring: 1 } : {};
  }

  private async post(
    shop: string,
    grant: string,
    fields: Record<string, string | number>,
  ): Promise<TokenGrant> {
    const url = `${shopBaseUrl(this.options.shopUrlTemplate, shop)}/admin/oauth/access_token`;
    const sentAt = this.now();
    let status: number;
    let text: string;
    try {
      const response = await request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({
          client_id: this.options.clientId,
          client_secret: this.options.clientSecret,
          ...fields,
        }),
        signal: AbortSignal.timeout(this.timeoutMs),
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
        dispatcher: this.options.dispatcher,
      });
      status = response.statusCode;
      text = await response.body.text();
    } catch (error) {
      throw networkError(grant, error);
    }
    if (status >= 200 && status < 300) return this.parseGrant(grant, text, sentAt);
    throw refusal(grant, status, text);
  }

  private parseGrant(grant: string, text: string, sentAt: number): TokenGrant {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw invalidResponse(grant, 'not JSON');
    }
    if (typeof body !== 'object' || body === null) throw invalidResponse(grant, 'not an object');
    const accessToken = body.access_token;
    if (typeof accessToken !== 'string' || accessToken.length === 0) {
      throw invalidResponse(grant, 'no access_token');
    }
    const refreshToken =
      typeof body.refresh_token === 'string' && body.refresh_token.length > 0
        ? body.refresh_token
        : null;
    // Lifetimes count from when we asked, not when the answer arrived: erring early is safe.
    const expiresAt = (seconds: unknown): Date | null =>
      typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0
        ? new Date(sentAt + seconds * 1000)
        : null;
    return {
      accessToken,
      scopes: parseScopes(body.scope),
      expiresAt: expiresAt(body.expires_in),
      refreshToken,
      refreshTokenExpiresAt: refreshToken ? expiresAt(body.refresh_token_expires_in) : null,
    };
  }
}

/** Shopify answers scopes comma-separated (`read_orders,write_products`). */
export function parseScopes(scope: unknown): string[] {
  if (typeof scope !== 'string') return [];
  return scope
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function networkError(grant: string, error: unknown): TokenEndpointError {
  const e = error as { name?: unknown; code?: unknown };
  const timedOut =
    e?.name === 'TimeoutError' ||
    e?.name === 'AbortError' ||
    e?.code === 'UND_ERR_HEADERS_TIMEOUT' ||
    e?.code === 'UND_ERR_BODY_TIMEOUT';
  // Only the error's code: its message could quote a URL or, in theory, part of a body.
  const detail = typeof e?.code === 'string' ? ` (${e.code})` : '';
  return timedOut
    ? new TokenEndpointError('timeout', null, true, `Shopify token endpoint (${grant}) timed out`)
    : new TokenEndpointError(
        'unreachable',
        null,
        true,
        `Shopify token endpoint (${grant}) unreachable${detail}`,
      );
}

function refusal(grant: string, status: number, text: string): TokenEndpointError {
  let code = status >= 500 ? 'server_error' : 'http_error';
  try {
    const body = JSON.parse(text) as { error?: unknown };
    if (typeof body?.error === 'string' && ERROR_CODE.test(body.error)) code = body.error;
  } catch {
    // Not JSON (a proxy's HTML page, say): the status alone tells the story.
  }
  const transient = status === 429 || status >= 500;
  return new TokenEndpointError(
    code,
    status,
    transient,
    `Shopify token endpoint (${grant}) answered ${status} ${code}`,
  );
}

function invalidResponse(grant: string, why: string): TokenEndpointError {
  return new TokenEndpointError(
    'invalid_response',
    200,
    false,
    `Shopify token endpoint (${grant}) answered 200 but ${why}`,
  );
}
