import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from '@shopwire/observability';
import { SERVICE_CONFIG, SERVICE_LOGGER } from '@shopwire/service-runtime';
import type { ShopsConfig } from '../config';
import { InstallationsService } from '../credentials/installations.service';
import {
  TokenEndpointError,
  type GrantType,
  type ShopifyTokenEndpoint,
  type TokenGrant,
} from '../oauth/shopify-token-endpoint';
import { SHOPS_TOKEN_ENDPOINT } from '../shops.tokens';
import { AdminTokenProbe } from './admin-token-probe';
import { authorizeUrl, type AuthorizeUrlOptions, type QueryCheckOptions } from './install-checks';
import { InstallRefused, refusalOfTokenEndpoint } from './install-refusal';
import { InstallMetrics } from './install.metrics';
import { SessionTokenRefused, verifySessionToken } from './session-token';

/** What an install answers: the shop and what was granted, never a token. */
export interface InstallOutcome {
  shop: string;
  grantType: GrantType;
  scopes: string[];
  /** When the access token expires (null: it does not). */
  expiresAt: string | null;
}

/**
 * The four ways a shop's token arrives. Each one verifies what it is given, gets the grant from
 * Shopify, and only then hands it to InstallationsService.recordGrant, which stores it (sealed)
 * and announces the installation in one transaction: a refused or failed step stores nothing.
 */
@Injectable()
export class InstallService {
  readonly authorize: AuthorizeUrlOptions;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: ShopsConfig,
    @Inject(SHOPS_TOKEN_ENDPOINT) private readonly tokenEndpoint: ShopifyTokenEndpoint,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
    private readonly installations: InstallationsService,
    private readonly probe: AdminTokenProbe,
    private readonly metrics: InstallMetrics,
  ) {
    this.authorize = {
      shopUrlTemplate: config.SHOPIFY_SHOP_URL,
      clientId: config.SHOPIFY_API_KEY,
      scopes: config.SHOPIFY_SCOPES,
      redirectUri: `${config.SHOPWIRE_PUBLIC_URL}/auth/callback`,
    };
  }

  /** The secret and time window of the query checks, at the current time. */
  queryCheckOptions(): QueryCheckOptions {
    return {
      clientSecret: this.config.SHOPIFY_API_SECRET,
      now: new Date(),
      maxSkewSeconds: this.config.SHOPS_INSTALL_MAX_SKEW_SECONDS,
    };
  }

  authorizeUrl(shop: string, state: string): string {
    return authorizeUrl(shop, state, this.authorize);
  }

  /** The callback's code, verified by the caller, exchanged once. */
  async completeAuthorization(shop: string, code: string): Promise<InstallOutcome> {
    const grant = await this.grant('authorization_code', () =>
      this.tokenEndpoint.authorizationCode(shop, code),
    );
    return this.record(shop, 'authorization_code', grant);
  }

  /** An embedded app's session token: verified here, then exchanged for an offline token. */
  async tokenExchange(sessionToken: string): Promise<InstallOutcome> {
    let shop: string;
    try {
      ({ shop } = await verifySessionToken(sessionToken, {
        clientId: this.config.SHOPIFY_API_KEY,
        clientSecret: this.config.SHOPIFY_API_SECRET,
        clockToleranceSeconds: this.config.SHOPS_SESSION_TOKEN_CLOCK_TOLERANCE_SECONDS,
      }));
    } catch (error) {
      if (!(error instanceof SessionTokenRefused)) throw error;
      throw new InstallRefused('bad_session_token', error.message);
    }
    const grant = await this.grant('token_exchange', () =>
      this.tokenEndpoint.tokenExchange(shop, sessionToken),
    );
    return this.record(shop, 'token_exchange', grant);
  }

  /** An organization's own store: a 24 h token for the app's client id and secret. */
  async clientCredentials(shop: string): Promise<InstallOutcome> {
    const grant = await this.grant('client_credentials', () =>
      this.tokenEndpoint.clientCredentials(shop),
    );
    return this.record(shop, 'client_credentials', grant);
  }

  /** An admin-created app's permanent token, stored only once the Admin API accepted it. */
  async legacyToken(shop: string, accessToken: string): Promise<InstallOutcome> {
    await this.probe.check(shop, accessToken);
    return this.record(shop, 'legacy', {
      accessToken,
      // Shopify does not say a legacy token's scopes with the token; they are the app's.
      scopes: [],
      expiresAt: null,
      refreshToken: null,
      refreshTokenExpiresAt: null,
    });
  }

  private async grant(
    grantType: GrantType,
    request: () => Promise<TokenGrant>,
  ): Promise<TokenGrant> {
    try {
      return await request();
    } catch (error) {
      if (!(error instanceof TokenEndpointError)) throw error;
      throw refusalOfTokenEndpoint(grantType, error);
    }
  }

  private async record(
    shop: string,
    grantType: GrantType,
    grant: TokenGrant,
  ): Promise<InstallOutcome> {
    await this.installations.recordGrant(shop, grantType, grant);
    this.metrics.installed.inc({ grant_type: grantType });
    this.logger.info({ shop, grantType, scopes: grant.scopes }, 'shop installed');
    return {
      shop,
      grantType,
      scopes: grant.scopes,
      expiresAt: grant.expiresAt?.toISOString() ?? null,
    };
  }
}
