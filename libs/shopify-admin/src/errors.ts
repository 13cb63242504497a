export type ShopifyAdminErrorCode =
  | 'THROTTLED'
  | 'RATE_LIMITED'
  | 'MAX_COST_EXCEEDED'
  | 'GRAPHQL'
  | 'HTTP_5XX'
  | 'HTTP_4XX'
  /** 401: Shopify refused the access token (expired, revoked, unknown). Not transient. */
  | 'UNAUTHORIZED'
  | 'NETWORK'
  | 'TIMEOUT'
  | 'BAD_REPLY'
  | 'BULK';

/**
 * Every failure of the Admin API client. `transient` says whether trying again can help (a
 * throttle, a 429, a 5xx, a dropped connection); `retryAfterMs` is the wait Shopify asked for or
 * the time its bucket needs to restore enough points.
 */
export class ShopifyAdminError extends Error {
  override readonly name = 'ShopifyAdminError';

  constructor(
    readonly code: ShopifyAdminErrorCode,
    message: string,
    readonly details: {
      transient?: boolean;
      retryAfterMs?: number | null;
      status?: number;
      /** GraphQL `errors`, for GRAPHQL; never request variables (they may hold personal data). */
      errors?: unknown;
      cause?: unknown;
    } = {},
  ) {
    super(message, { cause: details.cause });
  }

  get transient(): boolean {
    return this.details.transient ?? false;
  }

  get retryAfterMs(): number | null {
    return this.details.retryAfterMs ?? null;
  }

  get status(): number | undefined {
    return this.details.status;
  }
}

export function isShopifyAdminError(error: unknown): error is ShopifyAdminError {
  return error instanceof ShopifyAdminError;
}
