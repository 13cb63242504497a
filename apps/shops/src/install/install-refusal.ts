import type { GrantType, TokenEndpointError } from '../oauth/shopify-token-endpoint';

/**
 * Why an install request was refused. Each reason maps to one HTTP status and is the label of
 * `shopwire_shops_install_refused_total{reason}`; messages say what to fix and never quote a
 * token, code, secret or signature.
 */
export const REFUSAL_STATUS = {
  /** A required parameter is missing, repeated or malformed. */
  bad_request: 400,
  /** `shop` is not a `x.myshopify.com` domain. */
  bad_shop: 400,
  /** The query's `hmac` is missing or is not Shopify's signature with our client secret. */
  bad_hmac: 403,
  /** The signed `timestamp` is outside the allowed window (a replayed or delayed link). */
  stale_timestamp: 403,
  /** No state cookie in this browser, or no `state` in the callback. */
  missing_state: 403,
  /** The callback's `state` or shop is not the one this browser's cookie was issued for. */
  state_mismatch: 403,
  /** Shopify refused the authorization code (used already, expired, or not for this app). */
  code_rejected: 403,
  /** The session token (JWT) did not verify, or Shopify refused to exchange it. */
  bad_session_token: 401,
  /** Shopify refused the grant for this shop (client credentials not allowed, app not installed). */
  grant_refused: 422,
  /** A legacy token that the Admin API does not accept. */
  token_rejected: 422,
  /** Shopify refused our client id/secret: a configuration error on our side. */
  client_misconfigured: 502,
  /** Shopify could not be reached, timed out or failed; the request may be tried again. */
  shopify_unavailable: 503,
} as const;

export type RefusalReason = keyof typeof REFUSAL_STATUS;

export const REFUSAL_REASONS = Object.keys(REFUSAL_STATUS) as RefusalReason[];

export class InstallRefused extends Error {
  override readonly name = 'InstallRefused';

  constructor(
    readonly reason: RefusalReason,
    message: string,
  ) {
    super(message);
  }

  get status(): number {
    return REFUSAL_STATUS[this.reason];
  }

  toJSON(): { error: RefusalReason; message: string } {
    return { error: this.reason, message: this.message };
  }
}

/** Shopify's answer, as a refusal that says whose problem it is (the messages carry no secret). */
export function refusalOfTokenEndpoint(
  grantType: GrantType,
  error: TokenEndpointError,
): InstallRefused {
  if (error.transient) {
    return new InstallRefused('shopify_unavailable', `${error.message}; try again`);
  }
  if (error.code === 'invalid_client') {
    return new InstallRefused(
      'client_misconfigured',
      'Shopify refused the client id or secret; check SHOPIFY_API_KEY and SHOPIFY_API_SECRET',
    );
  }
  switch (grantType) {
    case 'authorization_code':
      return new InstallRefused(
        'code_rejected',
        `Shopify refused the authorization code (${error.code}): it was used already, has expired or is for another app; start the install again`,
      );
    case 'token_exchange':
      return new InstallRefused(
        'bad_session_token',
        `Shopify refused to exchange the session token (${error.code})`,
      );
    case 'client_credentials':
    case 'legacy':
      return new InstallRefused(
        'grant_refused',
        `Shopify refused the ${grantType.replace('_', ' ')} grant for this shop (${error.code}); is the app installed on it and owned by the same organization?`,
      );
  }
}
