export type ShopCredentialsErrorCode =
  /** The shops service has no installation for the shop (never installed, or uninstalled). */
  | 'not_installed'
  /** The shop's refresh token was revoked: a merchant must install the app again. */
  | 'reauth_required'
  /** The shops service could not be asked (down, slow, 5xx, breaker open): try again later. */
  | 'unavailable'
  /** The shops service refused this caller or the request (401/403/400): a configuration bug. */
  | 'refused';

/**
 * Every failure of the credentials client. Messages name the shop and the status, never a token.
 * `transient` says whether asking again later can help.
 */
export class ShopCredentialsError extends Error {
  override readonly name: string = 'ShopCredentialsError';

  constructor(
    readonly code: ShopCredentialsErrorCode,
    readonly shop: string,
    message: string,
    options: { cause?: unknown; status?: number } = {},
  ) {
    super(message, { cause: options.cause });
    this.status = options.status ?? null;
  }

  readonly status: number | null;

  get transient(): boolean {
    return this.code === 'unavailable';
  }
}

/** 404 from the token API: Admin API calls for the shop must not be made at all. */
export class ShopNotInstalledError extends ShopCredentialsError {
  override readonly name = 'ShopNotInstalledError';
  constructor(shop: string) {
    super('not_installed', shop, `the app is not installed on ${shop}`, { status: 404 });
  }
}

/** 409 from the token API: the installation needs the merchant to authorise the app again. */
export class ShopReauthRequiredError extends ShopCredentialsError {
  override readonly name = 'ShopReauthRequiredError';
  constructor(shop: string) {
    super('reauth_required', shop, `${shop} must authorise the app again (refresh token revoked)`, {
      status: 409,
    });
  }
}

export function isShopCredentialsError(error: unknown): error is ShopCredentialsError {
  return error instanceof ShopCredentialsError;
}

/** The shop cannot be called at all until something changes (installed again, re-authorised). */
export function isShopNotCallable(error: unknown): boolean {
  return error instanceof ShopNotInstalledError || error instanceof ShopReauthRequiredError;
}
