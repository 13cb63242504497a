/** Why an installation's token cannot be handed out; `code` is what the token API answers. */
export class ShopNotInstalledError extends Error {
  override readonly name = 'ShopNotInstalledError';
  readonly code = 'not_installed';
  constructor(readonly shop: string) {
    super(`${shop} is not installed`);
  }
}

/** Shopify refused the refresh token (or the grant): only a new install can help. */
export class ReauthRequiredError extends Error {
  override readonly name = 'ReauthRequiredError';
  readonly code = 'reauth_required';
  constructor(readonly shop: string) {
    super(`${shop} must be installed again (Shopify refused its credentials)`);
  }
}

/** A refresh that was due failed for a reason that may pass (Shopify or Postgres unreachable). */
export class TokenUnavailableError extends Error {
  override readonly name = 'TokenUnavailableError';
  readonly code = 'token_unavailable';
  constructor(
    readonly shop: string,
    /** The underlying code (`timeout`, `unreachable`, `server_error`, `lock_wait`, …). */
    readonly reason: string,
  ) {
    super(`no usable token for ${shop} right now (${reason})`);
  }
}
