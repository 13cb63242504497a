import { TokenEndpointError, type GrantType } from '../oauth/shopify-token-endpoint';
import { InstallRefused, refusalOfTokenEndpoint, REFUSAL_STATUS } from './install-refusal';

const endpointError = (code: string, status: number | null, transient: boolean) =>
  new TokenEndpointError(
    code,
    status,
    transient,
    `Shopify token endpoint answered ${status} ${code}`,
  );

describe('refusalOfTokenEndpoint', () => {
  it.each<[GrantType, string, number | null, boolean, string]>([
    ['authorization_code', 'invalid_grant', 400, false, 'code_rejected'],
    ['authorization_code', 'invalid_request', 400, false, 'code_rejected'],
    ['authorization_code', 'invalid_client', 401, false, 'client_misconfigured'],
    ['authorization_code', 'unreachable', null, true, 'shopify_unavailable'],
    ['authorization_code', 'server_error', 502, true, 'shopify_unavailable'],
    ['token_exchange', 'invalid_subject_token', 400, false, 'bad_session_token'],
    ['token_exchange', 'invalid_client', 401, false, 'client_misconfigured'],
    ['token_exchange', 'timeout', null, true, 'shopify_unavailable'],
    ['client_credentials', 'invalid_request', 400, false, 'grant_refused'],
    ['client_credentials', 'invalid_client', 401, false, 'client_misconfigured'],
    ['client_credentials', 'http_error', 429, true, 'shopify_unavailable'],
  ])('%s answered %s (%s) → %s', (grant, code, status, transient, reason) => {
    expect(refusalOfTokenEndpoint(grant, endpointError(code, status, transient)).reason).toBe(
      reason,
    );
  });

  it("names Shopify's error code in the message, nothing more", () => {
    const refusal = refusalOfTokenEndpoint(
      'authorization_code',
      endpointError('invalid_grant', 400, false),
    );
    expect(refusal.message).toContain('invalid_grant');
    expect(refusal.toJSON()).toEqual({ error: 'code_rejected', message: refusal.message });
  });
});

describe('InstallRefused', () => {
  it('answers 4xx for what the caller can fix, 5xx for what we or Shopify must', () => {
    for (const [reason, status] of Object.entries(REFUSAL_STATUS)) {
      const upstream = reason === 'client_misconfigured' || reason === 'shopify_unavailable';
      expect(status >= 500).toBe(upstream);
      expect(new InstallRefused(reason as keyof typeof REFUSAL_STATUS, 'x').status).toBe(status);
    }
  });
});
