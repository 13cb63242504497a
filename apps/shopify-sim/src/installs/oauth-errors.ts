/** A token endpoint refusal, answered as Shopify does: `{error, error_description}`. */
export class OAuthError extends Error {
  constructor(
    readonly status: 400 | 401,
    readonly error: string,
    readonly description: string,
  ) {
    super(`${error}: ${description}`);
  }

  toJSON(): { error: string; error_description: string } {
    return { error: this.error, error_description: this.description };
  }
}

export const invalidClient = () =>
  new OAuthError(401, 'invalid_client', 'Client credentials are invalid');
export const invalidRequest = (description: string) =>
  new OAuthError(400, 'invalid_request', description);
export const invalidGrant = (description: string) =>
  new OAuthError(400, 'invalid_grant', description);
