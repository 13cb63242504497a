import type { AppRegistration } from './app-registry';
import { OAuthError } from './oauth-errors';
import { TokenStore } from './token-store';

const APP: AppRegistration = {
  clientId: 'client-1',
  clientSecret: 'secret-secret',
  scopes: ['read_orders'],
  redirectUrls: [],
};
const SHOP = 'a-shop.myshopify.com';

function setup() {
  let now = 1_000_000;
  const store = new TokenStore(() => now);
  return { store, advance: (ms: number) => (now += ms) };
}

const errorOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    if (error instanceof OAuthError) return { status: error.status, ...error.toJSON() };
    throw error;
  }
  throw new Error('expected an OAuthError');
};

describe('TokenStore', () => {
  it('redeems a code once, for its shop and app only', () => {
    const { store } = setup();
    const code = store.issueCode(SHOP, APP.clientId, ['read_orders', 'write_orders']);
    const answer = store.redeemCode(SHOP, APP, code, false);
    expect(answer).toEqual({
      access_token: expect.stringMatching(/^shpua_/),
      scope: 'read_orders,write_orders',
    });
    expect(errorOf(() => store.redeemCode(SHOP, APP, code, false))).toMatchObject({
      status: 400,
      error: 'invalid_request',
    });
    const other = store.issueCode(SHOP, APP.clientId, []);
    expect(errorOf(() => store.redeemCode('b.myshopify.com', APP, other, false)).error).toBe(
      'invalid_request',
    );
  });

  it('refuses an expired code', () => {
    const { store, advance } = setup();
    const code = store.issueCode(SHOP, APP.clientId, []);
    advance(61_000);
    expect(errorOf(() => store.redeemCode(SHOP, APP, code, true)).error).toBe('invalid_request');
  });

  it('issues expiring tokens whose lifetime the settings shorten, and 401s them after expiry', () => {
    const { store, advance } = setup();
    store.updateSettings({ accessTokenTtlSeconds: 2, refreshTokenTtlSeconds: 10 });
    const answer = store.tokenExchange(SHOP, APP, true);
    expect(answer).toMatchObject({ expires_in: 2, refresh_token_expires_in: 10 });
    expect(store.admits(SHOP, answer.access_token)).toBe(true);
    expect(store.admits('other.myshopify.com', answer.access_token)).toBe(true); // not strict
    advance(2_000);
    expect(store.admits(SHOP, answer.access_token)).toBe(false);
    expect(store.stats().unauthorized).toBe(1);
  });

  it('is strict only for shops it issued tokens for, unless strictAuth', () => {
    const { store } = setup();
    expect(store.admits(SHOP, 'shpat_anything')).toBe(true);
    expect(store.admits(SHOP, '')).toBe(false);
    store.legacyToken(SHOP);
    expect(store.admits(SHOP, 'shpat_anything')).toBe(false);
    store.updateSettings({ strictAuth: true });
    expect(store.admits('other.myshopify.com', 'shpat_anything')).toBe(false);
  });

  it('gives client credentials tokens for 24 h without a refresh token', () => {
    const { store, advance } = setup();
    const answer = store.clientCredentials(SHOP, APP);
    expect(answer).toEqual({
      access_token: expect.any(String),
      scope: 'read_orders',
      expires_in: 86_399,
    });
    advance(86_399_000);
    expect(store.admits(SHOP, answer.access_token)).toBe(false);
  });

  it('rotates refresh tokens: the previous one lives until the new one is first used', () => {
    const { store } = setup();
    const first = store.redeemCode(SHOP, APP, store.issueCode(SHOP, APP.clientId, []), true);
    const second = store.refresh(SHOP, APP, first.refresh_token!);
    // The answer was "lost": the previous token still works, and says so in the stats.
    const again = store.refresh(SHOP, APP, first.refresh_token!);
    expect(store.stats().previousRefreshTokenUsed).toBe(1);
    // Using the newest replacement kills the previous token and the unused sibling.
    const third = store.refresh(SHOP, APP, again.refresh_token!);
    expect(errorOf(() => store.refresh(SHOP, APP, first.refresh_token!))).toMatchObject({
      status: 400,
      error: 'invalid_grant',
    });
    expect(errorOf(() => store.refresh(SHOP, APP, second.refresh_token!)).error).toBe(
      'invalid_grant',
    );
    expect(store.stats().reusedRefreshTokens).toBe(2);
    expect(store.refresh(SHOP, APP, third.refresh_token!).refresh_token).toMatch(/^shprt_/);
    expect(store.stats().refreshes).toBe(4);
  });

  it('refuses unknown, foreign and expired refresh tokens', () => {
    const { store, advance } = setup();
    store.updateSettings({ refreshTokenTtlSeconds: 5 });
    const first = store.tokenExchange(SHOP, APP, true);
    expect(errorOf(() => store.refresh(SHOP, APP, 'shprt_nope')).error).toBe('invalid_grant');
    expect(errorOf(() => store.refresh('b.myshopify.com', APP, first.refresh_token!)).error).toBe(
      'invalid_grant',
    );
    advance(5_000);
    expect(errorOf(() => store.refresh(SHOP, APP, first.refresh_token!)).error_description).toMatch(
      /expired/,
    );
  });

  it('revokes every token of a shop on uninstall', () => {
    const { store } = setup();
    const answer = store.tokenExchange(SHOP, APP, true);
    const legacy = store.legacyToken(SHOP);
    expect(store.revokeShop(SHOP)).toBe(2);
    expect(store.admits(SHOP, answer.access_token)).toBe(false);
    expect(store.admits(SHOP, legacy)).toBe(false);
    expect(errorOf(() => store.refresh(SHOP, APP, answer.refresh_token!)).error).toBe(
      'invalid_grant',
    );
  });

  it('lists one shop’s issued tokens and counts its refreshes, reuses and 401s apart from others', () => {
    const { store, advance } = setup();
    store.updateSettings({ accessTokenTtlSeconds: 2 });
    const first = store.tokenExchange(SHOP, APP, true);
    const second = store.refresh(SHOP, APP, first.refresh_token!);
    // A lost answer: the previous token again while its replacement is unused.
    const retried = store.refresh(SHOP, APP, first.refresh_token!);
    store.refresh(SHOP, APP, retried.refresh_token!);
    expect(errorOf(() => store.refresh(SHOP, APP, first.refresh_token!)).error).toBe(
      'invalid_grant',
    );
    advance(2_000);
    expect(store.admits(SHOP, second.access_token)).toBe(false);
    store.tokenExchange('other.myshopify.com', APP, true);
    expect(store.admits('other.myshopify.com', 'nope')).toBe(false);

    const view = store.shopView(SHOP);
    expect(view).toEqual({
      shop: SHOP,
      accessTokens: [
        first.access_token,
        second.access_token,
        retried.access_token,
        expect.any(String),
      ],
      refreshTokens: [
        first.refresh_token,
        second.refresh_token,
        retried.refresh_token,
        expect.any(String),
      ],
      refreshes: 3,
      previousRefreshTokenUsed: 1,
      reusedRefreshTokens: 1,
      unauthorized: 1,
    });
    expect(store.shopView('never.myshopify.com')).toMatchObject({
      accessTokens: [],
      unauthorized: 0,
    });
  });
});
