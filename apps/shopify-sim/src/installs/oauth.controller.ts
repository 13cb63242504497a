import { Body, Controller, Get, Inject, Param, Post, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { PublicRoute } from '@shopwire/http';
import type { FastifyReply } from 'fastify';
import { AppRegistry, type AppRegistration } from './app-registry';
import { INSTALLS_CLOCK, type Clock } from './installs.tokens';
import { isShopDomain, signQuery, verifySessionToken } from './oauth-crypto';
import { invalidClient, invalidRequest, OAuthError } from './oauth-errors';
import { TokenStore, type TokenAnswer } from './token-store';

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const ID_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:id_token';
export const OFFLINE_TOKEN_TYPE = 'urn:shopify:params:oauth:token-type:offline-access-token';

type TokenRequest = Record<string, unknown>;

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

/** `expiring=1` (form) or `expiring: 1` / `"1"` / `true` (JSON). */
const isExpiring = (value: unknown) => value === 1 || value === '1' || value === true;

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** Shopify answers a bad authorize request with an HTML error page, not a redirect. */
function errorPage(message: string): string {
  const safe = message.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!DOCTYPE html><html><head><title>Oauth error</title></head><body><h1>Oauth error invalid_request</h1><p>${safe}</p></body></html>`;
}

/**
 * The shop side of installing an app: the merchant's approval (immediate — the simulator has no
 * merchant) and the token endpoint with its four grants. Public routes: Shopify authenticates
 * these with the client id/secret or the session token, not the simulator's bearer token.
 */
@ApiExcludeController()
@PublicRoute()
@Controller('shops/:shop/admin/oauth')
export class OAuthController {
  constructor(
    private readonly apps: AppRegistry,
    private readonly tokens: TokenStore,
    @Inject(INSTALLS_CLOCK) private readonly clock: Clock,
  ) {}

  @Get('authorize')
  async authorize(
    @Param('shop') shop: string,
    @Query() query: Record<string, unknown>,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if (!isShopDomain(shop)) {
      await reply.status(404).type('text/html').send(errorPage('There is no store here.'));
      return;
    }
    const refuse = async (message: string) => {
      this.tokens.countError('invalid_request');
      await reply.status(400).type('text/html').send(errorPage(message));
    };
    const clientId = text(query.client_id);
    if (!clientId) return refuse('The client_id parameter is missing.');
    const app = this.apps.get(clientId);
    if (!app) return refuse('Invalid client_id: no app with this API key.');
    const redirectUri = text(query.redirect_uri);
    if (!redirectUri || !isHttpUrl(redirectUri))
      return refuse('The redirect_uri parameter is missing or not a URL.');
    if (app.redirectUrls.length > 0 && !app.redirectUrls.some((u) => redirectUri.startsWith(u)))
      return refuse('The redirect_uri is not whitelisted for this app.');
    const scopes = (text(query.scope) ?? app.scopes.join(','))
      .split(',')
      .map((scope) => scope.trim())
      .filter(Boolean);

    const params: Record<string, string> = {
      code: this.tokens.issueCode(shop, app.clientId, scopes),
      host: Buffer.from(`${shop}/admin`).toString('base64'),
      shop,
      timestamp: String(Math.floor(this.clock() / 1000)),
    };
    const state = text(query.state);
    if (state !== undefined) params.state = state;
    const target = new URL(redirectUri);
    for (const [key, value] of Object.entries(params)) target.searchParams.set(key, value);
    // The app verifies the query it receives, so parameters the redirect URI already had are signed too.
    target.searchParams.set(
      'hmac',
      signQuery(Object.fromEntries(target.searchParams), app.clientSecret),
    );
    await reply.status(302).header('location', target.toString()).send();
  }

  @Post('access_token')
  async accessToken(
    @Param('shop') shop: string,
    @Body() body: TokenRequest | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    void reply.header('cache-control', 'no-store');
    if (!isShopDomain(shop)) {
      await reply.status(404).send({ errors: 'Not Found' });
      return;
    }
    try {
      const answer = this.grant(shop, body && typeof body === 'object' ? body : {});
      await reply.status(200).send(answer);
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error;
      this.tokens.countError(error.error);
      await reply.status(error.status).send(error.toJSON());
    }
  }

  private grant(shop: string, body: TokenRequest): TokenAnswer {
    const clientId = text(body.client_id);
    const clientSecret = text(body.client_secret);
    if (!clientId || !clientSecret)
      throw invalidRequest('client_id and client_secret are required');
    const app = this.apps.authenticate(clientId, clientSecret);
    if (!app) throw invalidClient();
    const grantType = text(body.grant_type);
    const expiring = isExpiring(body.expiring);
    switch (grantType) {
      case undefined:
      case 'authorization_code': {
        const code = text(body.code);
        if (!code) throw invalidRequest('The code parameter is required');
        return this.tokens.redeemCode(shop, app, code, expiring);
      }
      case TOKEN_EXCHANGE_GRANT:
        return this.tokenExchange(shop, app, body, expiring);
      case 'client_credentials':
        return this.tokens.clientCredentials(shop, app);
      case 'refresh_token': {
        const refreshToken = text(body.refresh_token);
        if (!refreshToken) throw invalidRequest('The refresh_token parameter is required');
        return this.tokens.refresh(shop, app, refreshToken);
      }
      default:
        throw new OAuthError(
          400,
          'unsupported_grant_type',
          'The authorization grant type is not supported by the authorization server',
        );
    }
  }

  private tokenExchange(
    shop: string,
    app: AppRegistration,
    body: TokenRequest,
    expiring: boolean,
  ): TokenAnswer {
    const subjectToken = text(body.subject_token);
    if (!subjectToken) throw invalidRequest('The subject_token parameter is required');
    if (body.subject_token_type !== ID_TOKEN_TYPE)
      throw invalidRequest(`subject_token_type must be ${ID_TOKEN_TYPE}`);
    // Online (per-user) tokens are not simulated.
    if (body.requested_token_type !== OFFLINE_TOKEN_TYPE)
      throw invalidRequest(`requested_token_type must be ${OFFLINE_TOKEN_TYPE}`);
    const check = verifySessionToken(
      subjectToken,
      (audience) => (audience === app.clientId ? app.clientSecret : undefined),
      Math.floor(this.clock() / 1000),
    );
    if (!check.ok)
      throw new OAuthError(400, 'invalid_subject_token', `Session token rejected: ${check.reason}`);
    if (check.shop !== shop)
      throw new OAuthError(
        400,
        'invalid_subject_token',
        'Session token rejected: dest names another shop',
      );
    return this.tokens.tokenExchange(shop, app, expiring);
  }
}
