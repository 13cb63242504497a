import {
  createBreaker,
  isBreakerOpenError,
  parseRetryAfter,
  retry,
  RetriesExhaustedError,
  withTimeout,
  type Breaker,
} from '@shopwire/resilience';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { request, type Dispatcher } from 'undici';
import { ShopCredentialsError } from './errors';

/** A shop's current Admin API access token as the shops service answered it. */
export interface ShopToken {
  shop: string;
  /** Never logged, never in an error or a metric. */
  accessToken: string;
  /** null: a non-expiring token (legacy custom apps). */
  expiresAt: Date | null;
  scopes: string[];
  /** +1 at every token the shops service stores for the shop. */
  version: number;
}

export type TokenAnswer =
  { kind: 'token'; token: ShopToken } | { kind: 'not_installed' } | { kind: 'reauth_required' };

export interface ShopsTokenApiOptions {
  /** Base URL of the shops service, e.g. `http://shops:3006` (SHOPS_URL). */
  url: string;
  /** Bearer token of a shops service credential with shops:tokens (SHOPS_API_TOKEN). Never logged. */
  apiToken: string;
  /** One attempt's budget, connect to last byte. Default 3 s. */
  timeoutMs?: number;
  retry?: { attempts?: number; baseMs?: number; capMs?: number };
  breaker?: {
    volumeThreshold?: number;
    errorThresholdPercentage?: number;
    resetTimeoutMs?: number;
  };
  registry?: Registry;
  logger?: Logger;
  dispatcher?: Dispatcher;
}

interface RawAnswer {
  status: number;
  text: string;
  retryAfter: string | string[] | undefined;
}

/**
 * The shops service's internal token API over HTTP, guarded like every external call: a timeout
 * per attempt, an opossum breaker (`shops-token-api`) around each attempt, and bounded retries
 * with exponential backoff and full jitter outside it. A 404/409 is an answer, not a fault.
 */
export class ShopsTokenApi {
  private readonly base: string;
  private readonly timeoutMs: number;
  private readonly breaker: Breaker<[() => Promise<RawAnswer>], RawAnswer>;

  constructor(private readonly options: ShopsTokenApiOptions) {
    this.base = options.url.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 3000;
    this.breaker = createBreaker((send: () => Promise<RawAnswer>) => send(), {
      name: 'shops-token-api',
      timeoutMs: this.timeoutMs + 1000, // the attempt's own timeout fires first
      volumeThreshold: options.breaker?.volumeThreshold ?? 5,
      errorThresholdPercentage: options.breaker?.errorThresholdPercentage ?? 50,
      resetTimeoutMs: options.breaker?.resetTimeoutMs ?? 5000,
      registry: options.registry,
    });
  }

  get breakerState(): Breaker<[() => Promise<RawAnswer>], RawAnswer> {
    return this.breaker;
  }

  get(shop: string): Promise<TokenAnswer> {
    return this.call(shop, 'GET', `/internal/shops/${encodeURIComponent(shop)}/access-token`);
  }

  /** Asks for a new token because Shopify refused `rejectedTokenSha256`'s token (401). */
  refresh(shop: string, rejectedTokenSha256: string): Promise<TokenAnswer> {
    return this.call(
      shop,
      'POST',
      `/internal/shops/${encodeURIComponent(shop)}/access-token/refresh`,
      JSON.stringify({ rejectedTokenSha256 }),
    );
  }

  close(): void {
    this.breaker.shutdown();
  }

  private async call(
    shop: string,
    method: 'GET' | 'POST',
    path: string,
    body?: string,
  ): Promise<TokenAnswer> {
    try {
      const raw = await retry(() => this.attempt(shop, method, path, body), {
        attempts: this.options.retry?.attempts ?? 3,
        baseMs: this.options.retry?.baseMs ?? 100,
        capMs: this.options.retry?.capMs ?? 1000,
        maxRetryAfterMs: 5000,
        // a timeout (TimeoutError, or opossum's backstop) is transient too
        retryable: (error) =>
          !isBreakerOpenError(error) &&
          (!(error instanceof ShopCredentialsError) || error.transient),
        retryAfterMs: (error) =>
          error instanceof RetryableAnswer ? parseRetryAfter(error.retryAfter) : null,
        onRetry: (attempt, delayMs, error) =>
          this.options.logger?.warn(
            { shop, attempt, delayMs, status: (error as ShopCredentialsError).status },
            'shops token API call failed; retrying',
          ),
      });
      return this.read(shop, raw);
    } catch (error) {
      throw this.failure(shop, error);
    }
  }

  private async attempt(
    shop: string,
    method: 'GET' | 'POST',
    path: string,
    body: string | undefined,
  ): Promise<RawAnswer> {
    return this.breaker.fire(() =>
      withTimeout(this.timeoutMs, 'shops token API', async (signal) => {
        let response: Dispatcher.ResponseData;
        let text: string;
        try {
          response = await request(`${this.base}${path}`, {
            method,
            headers: {
              authorization: `Bearer ${this.options.apiToken}`,
              accept: 'application/json',
              ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            },
            body,
            signal,
            dispatcher: this.options.dispatcher,
          });
          text = await response.body.text();
        } catch (error) {
          throw new ShopCredentialsError(
            'unavailable',
            shop,
            `shops token API unreachable (${errorKind(error)})`,
            { cause: error },
          );
        }
        if (response.statusCode >= 500 || response.statusCode === 429)
          throw new RetryableAnswer(shop, response.statusCode, response.headers['retry-after']);
        return { status: response.statusCode, text, retryAfter: undefined };
      }),
    );
  }

  private read(shop: string, raw: RawAnswer): TokenAnswer {
    if (raw.status === 404) return { kind: 'not_installed' };
    if (raw.status === 409) return { kind: 'reauth_required' };
    if (raw.status !== 200)
      throw new ShopCredentialsError(
        'refused',
        shop,
        `shops token API answered ${raw.status} (check SHOPS_API_TOKEN and the shop's domain)`,
        { status: raw.status },
      );
    const token = parseToken(shop, raw.text);
    if (!token)
      throw new ShopCredentialsError('unavailable', shop, 'shops token API answer is not a token', {
        status: 200,
      });
    return { kind: 'token', token };
  }

  /** Every failure as a ShopCredentialsError; the cause may be a timeout or opossum's error. */
  private failure(shop: string, error: unknown): ShopCredentialsError {
    const last = error instanceof RetriesExhaustedError ? error.cause : error;
    if (last instanceof ShopCredentialsError) return last;
    if (isBreakerOpenError(last))
      return new ShopCredentialsError('unavailable', shop, 'shops token API breaker is open', {
        cause: last,
      });
    return new ShopCredentialsError(
      'unavailable',
      shop,
      `shops token API did not answer (${errorKind(last)})`,
      { cause: last },
    );
  }
}

/** A 5xx or 429: counts towards the breaker and is retried (after its Retry-After if it sent one). */
class RetryableAnswer extends ShopCredentialsError {
  constructor(
    shop: string,
    status: number,
    readonly retryAfter: string | string[] | undefined,
  ) {
    super('unavailable', shop, `shops token API answered ${status}`, { status });
  }
}

function parseToken(shop: string, text: string): ShopToken | null {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return null;
  }
  if (body === null || typeof body !== 'object') return null;
  const b = body as Record<string, unknown>;
  if (typeof b.accessToken !== 'string' || b.accessToken.length === 0) return null;
  const expiresAt =
    typeof b.expiresAt === 'string' && !Number.isNaN(Date.parse(b.expiresAt))
      ? new Date(b.expiresAt)
      : null;
  return {
    shop: typeof b.shop === 'string' ? b.shop : shop,
    accessToken: b.accessToken,
    expiresAt,
    scopes: Array.isArray(b.scopes)
      ? b.scopes.filter((s): s is string => typeof s === 'string')
      : [],
    version: typeof b.version === 'number' ? b.version : 0,
  };
}

/** What an error may say about itself in a message: its kind, never a URL or header. */
function errorKind(error: unknown): string {
  if (!(error instanceof Error)) return 'unknown';
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? `${error.name} ${code}` : error.name;
}
