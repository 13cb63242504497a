import type { AppRegistration } from './app-registry';
import { randomToken } from './oauth-crypto';
import { invalidGrant, invalidRequest } from './oauth-errors';

export type GrantKind =
  'authorization_code' | 'token_exchange' | 'client_credentials' | 'refresh_token' | 'legacy';

/** Lifetimes; `POST /sim/oauth/settings` shortens them for tests. Seconds. */
export interface OAuthSettings {
  /** Expiring offline tokens (Shopify: 60 min). */
  accessTokenTtlSeconds: number;
  /** Their refresh tokens (Shopify: 90 days). */
  refreshTokenTtlSeconds: number;
  /** Client credentials tokens (Shopify: 24 h, `expires_in: 86399`). */
  clientCredentialsTtlSeconds: number;
  /** Authorization codes. */
  codeTtlSeconds: number;
  /** Every shop's Admin API takes only tokens the simulator issued (see `TokenStore.isStrict`). */
  strictAuth: boolean;
}

export const DEFAULT_OAUTH_SETTINGS: OAuthSettings = {
  accessTokenTtlSeconds: 3600,
  refreshTokenTtlSeconds: 90 * 86_400,
  clientCredentialsTtlSeconds: 86_399,
  codeTtlSeconds: 60,
  strictAuth: false,
};

/** The token endpoint's success body, Shopify's field names. */
export interface TokenAnswer {
  access_token: string;
  scope: string;
  expires_in?: number;
  refresh_token?: string;
  refresh_token_expires_in?: number;
}

interface AccessTokenRecord {
  shop: string;
  kind: GrantKind;
  expiresAt: number | null;
}

interface RefreshTokenRecord {
  shop: string;
  clientId: string;
  scopes: string[];
  expiresAt: number;
  dead: boolean;
  /** Refreshed with at least once: from then on its parent is dead. */
  used: boolean;
  parent: string | null;
  children: string[];
}

interface CodeRecord {
  shop: string;
  clientId: string;
  scopes: string[];
  expiresAt: number;
}

export interface OAuthStats {
  grants: Record<GrantKind, number>;
  /** Refresh-token grants answered. */
  refreshes: number;
  /** A refresh token used after it died (its replacement had been used). */
  reusedRefreshTokens: number;
  /** A refresh with the previous token while its replacement was still unused (recovery). */
  previousRefreshTokenUsed: number;
  /** Token endpoint refusals by Shopify error code. */
  errors: Record<string, number>;
  /** Admin API requests refused with 401 (no, unknown, expired or revoked token). */
  unauthorized: number;
  uninstalls: number;
}

/**
 * One shop's side of the token endpoint and the Admin API's check, for tests: every token issued
 * for it (to search logs for them) and its own 401 count. The simulator is a test stand-in; a
 * real Shopify never lists tokens.
 */
export interface ShopOAuthView {
  shop: string;
  /** Access tokens issued for the shop, oldest first (at most `ISSUED_PER_SHOP` kept). */
  accessTokens: string[];
  /** Refresh tokens issued for the shop, oldest first (same bound). */
  refreshTokens: string[];
  /** Refresh-token grants answered for the shop. */
  refreshes: number;
  /** Refreshes with a token whose replacement had already been issued (each is a lost answer). */
  previousRefreshTokenUsed: number;
  /** Refreshes with a token whose replacement had already been used (refused). */
  reusedRefreshTokens: number;
  /** Admin API requests for the shop refused with 401. */
  unauthorized: number;
}

/** Enough for a long test run; a benchmark issuing more keeps the newest. */
const ISSUED_PER_SHOP = 5_000;

/**
 * Codes, access tokens and refresh tokens the simulator issued, with Shopify's rules: codes are
 * single-use and short-lived; expiring offline tokens come with a refresh token; each refresh
 * rotates it, and the previous refresh token stays valid until the new one is first used, after
 * which the old one is dead (`invalid_grant`, counted as reused). Tokens live in memory only.
 */
export class TokenStore {
  settings: OAuthSettings = { ...DEFAULT_OAUTH_SETTINGS };
  private readonly codes = new Map<string, CodeRecord>();
  private readonly accessTokens = new Map<string, AccessTokenRecord>();
  private readonly refreshTokens = new Map<string, RefreshTokenRecord>();
  /** Shops the simulator has issued a token for (or uninstalled): their Admin API is strict. */
  private readonly managedShops = new Set<string>();
  private readonly perShop = new Map<string, ShopOAuthView>();
  private readonly counters: OAuthStats = {
    grants: {
      authorization_code: 0,
      token_exchange: 0,
      client_credentials: 0,
      refresh_token: 0,
      legacy: 0,
    },
    refreshes: 0,
    reusedRefreshTokens: 0,
    previousRefreshTokenUsed: 0,
    errors: {},
    unauthorized: 0,
    uninstalls: 0,
  };

  constructor(private readonly clock: () => number = Date.now) {}

  updateSettings(patch: Partial<OAuthSettings>): OAuthSettings {
    this.settings = { ...this.settings, ...patch };
    return this.settings;
  }

  issueCode(shop: string, clientId: string, scopes: string[]): string {
    const code = randomToken('').slice(0, 32);
    this.codes.set(code, {
      shop,
      clientId,
      scopes,
      expiresAt: this.clock() + this.settings.codeTtlSeconds * 1000,
    });
    return code;
  }

  /** Authorization code grant. The code is spent whatever the outcome. */
  redeemCode(shop: string, app: AppRegistration, code: string, expiring: boolean): TokenAnswer {
    const record = this.codes.get(code);
    this.codes.delete(code);
    if (
      !record ||
      record.expiresAt <= this.clock() ||
      record.shop !== shop ||
      record.clientId !== app.clientId
    )
      throw invalidRequest('The authorization code was not found or was already used');
    return this.grant(shop, app.clientId, record.scopes, 'authorization_code', expiring);
  }

  tokenExchange(shop: string, app: AppRegistration, expiring: boolean): TokenAnswer {
    return this.grant(shop, app.clientId, app.scopes, 'token_exchange', expiring);
  }

  clientCredentials(shop: string, app: AppRegistration): TokenAnswer {
    const ttl = this.settings.clientCredentialsTtlSeconds;
    const accessToken = this.newAccessToken(shop, 'client_credentials', ttl);
    this.counters.grants.client_credentials += 1;
    return { access_token: accessToken, scope: app.scopes.join(','), expires_in: ttl };
  }

  refresh(shop: string, app: AppRegistration, token: string): TokenAnswer {
    const record = this.refreshTokens.get(token);
    if (!record || record.shop !== shop || record.clientId !== app.clientId)
      throw invalidGrant('The refresh token is invalid');
    if (record.dead) {
      this.counters.reusedRefreshTokens += 1;
      this.view(shop).reusedRefreshTokens += 1;
      throw invalidGrant('The refresh token has been rotated and is no longer valid');
    }
    if (record.expiresAt <= this.clock()) throw invalidGrant('The refresh token has expired');
    if (record.children.length > 0) {
      this.counters.previousRefreshTokenUsed += 1;
      this.view(shop).previousRefreshTokenUsed += 1;
    }
    if (!record.used) {
      // The new token's first use: the one it replaced dies, and so do its other replacements
      // (answers the client lost and never stored).
      record.used = true;
      const parent = record.parent === null ? undefined : this.refreshTokens.get(record.parent);
      if (parent) {
        parent.dead = true;
        for (const sibling of parent.children) if (sibling !== token) this.kill(sibling);
      }
    }
    this.counters.refreshes += 1;
    this.view(shop).refreshes += 1;
    return this.grant(shop, app.clientId, record.scopes, 'refresh_token', true, token);
  }

  /** A legacy admin-created app's permanent token (`shpat_`), for `POST /sim/shops/:shop/legacy-token`. */
  legacyToken(shop: string): string {
    this.counters.grants.legacy += 1;
    return this.newAccessToken(shop, 'legacy', null);
  }

  /**
   * The Admin API's check. A shop the simulator issued a token for (or `strictAuth`) takes only
   * its live tokens; any other shop takes any non-empty token, as the permanent token of an
   * admin-created app it has no record of (what tests and the demo used before installs existed).
   * No token at all is refused everywhere.
   */
  admits(shop: string, token: string): boolean {
    const ok = token.trim() !== '' && (!this.isStrict(shop) || this.isLive(shop, token));
    if (!ok) {
      this.counters.unauthorized += 1;
      if (shop !== '') this.view(shop).unauthorized += 1;
    }
    return ok;
  }

  countError(error: string): void {
    this.counters.errors[error] = (this.counters.errors[error] ?? 0) + 1;
  }

  isStrict(shop: string): boolean {
    return this.settings.strictAuth || this.managedShops.has(shop);
  }

  /** Uninstall: every token of the shop stops working at once; the shop stays strict. */
  revokeShop(shop: string): number {
    let revoked = 0;
    for (const [token, record] of this.accessTokens)
      if (record.shop === shop) {
        this.accessTokens.delete(token);
        revoked++;
      }
    for (const [token, record] of this.refreshTokens)
      if (record.shop === shop) this.refreshTokens.delete(token);
    for (const [code, record] of this.codes) if (record.shop === shop) this.codes.delete(code);
    this.managedShops.add(shop);
    this.counters.uninstalls += 1;
    return revoked;
  }

  stats(): OAuthStats {
    return structuredClone(this.counters);
  }

  /** One shop's issued tokens and counters (an empty view for a shop never seen). */
  shopView(shop: string): ShopOAuthView {
    return structuredClone(this.perShop.get(shop) ?? emptyView(shop));
  }

  private view(shop: string): ShopOAuthView {
    let view = this.perShop.get(shop);
    if (!view) {
      view = emptyView(shop);
      this.perShop.set(shop, view);
    }
    return view;
  }

  private remember(list: string[], token: string): void {
    list.push(token);
    if (list.length > ISSUED_PER_SHOP) list.splice(0, list.length - ISSUED_PER_SHOP);
  }

  private isLive(shop: string, token: string): boolean {
    const record = this.accessTokens.get(token);
    if (!record || record.shop !== shop) return false;
    if (record.expiresAt !== null && record.expiresAt <= this.clock()) {
      this.accessTokens.delete(token);
      return false;
    }
    return true;
  }

  private kill(token: string): void {
    const record = this.refreshTokens.get(token);
    if (record) record.dead = true;
  }

  private grant(
    shop: string,
    clientId: string,
    scopes: string[],
    kind: GrantKind,
    expiring: boolean,
    parent: string | null = null,
  ): TokenAnswer {
    this.counters.grants[kind] += 1;
    const scope = scopes.join(',');
    if (!expiring) return { access_token: this.newAccessToken(shop, kind, null), scope };
    const { accessTokenTtlSeconds, refreshTokenTtlSeconds } = this.settings;
    const refreshToken = randomToken('shprt_');
    this.refreshTokens.set(refreshToken, {
      shop,
      clientId,
      scopes,
      expiresAt: this.clock() + refreshTokenTtlSeconds * 1000,
      dead: false,
      used: false,
      parent,
      children: [],
    });
    if (parent !== null) this.refreshTokens.get(parent)?.children.push(refreshToken);
    this.remember(this.view(shop).refreshTokens, refreshToken);
    return {
      access_token: this.newAccessToken(shop, kind, accessTokenTtlSeconds),
      scope,
      expires_in: accessTokenTtlSeconds,
      refresh_token: refreshToken,
      refresh_token_expires_in: refreshTokenTtlSeconds,
    };
  }

  private newAccessToken(shop: string, kind: GrantKind, ttlSeconds: number | null): string {
    const token = randomToken(kind === 'legacy' ? 'shpat_' : 'shpua_');
    this.accessTokens.set(token, {
      shop,
      kind,
      expiresAt: ttlSeconds === null ? null : this.clock() + ttlSeconds * 1000,
    });
    this.managedShops.add(shop);
    this.remember(this.view(shop).accessTokens, token);
    return token;
  }
}

function emptyView(shop: string): ShopOAuthView {
  return {
    shop,
    accessTokens: [],
    refreshTokens: [],
    refreshes: 0,
    previousRefreshTokenUsed: 0,
    reusedRefreshTokens: 0,
    unauthorized: 0,
  };
}
