import {
  BadRequestException,
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { AppRegistry, DEFAULT_APP_SCOPES, type AppRegistration } from './app-registry';
import { INSTALLS_CLOCK, type Clock } from './installs.tokens';
import { isShopDomain, mintSessionToken } from './oauth-crypto';
import { parseBody } from './parse-body';
import { TokenStore, type OAuthSettings, type OAuthStats, type ShopOAuthView } from './token-store';

const seconds = z
  .number()
  .int()
  .min(1)
  .max(10 * 365 * 86_400);

const appSchema = z
  .object({
    clientId: z.string().min(1).max(200),
    clientSecret: z.string().min(8).max(512),
    scopes: z.array(z.string().min(1)).max(100).optional(),
    redirectUrls: z.array(z.string().url()).max(20).optional(),
  })
  .strict();

const settingsSchema = z
  .object({
    accessTokenTtlSeconds: seconds.optional(),
    refreshTokenTtlSeconds: seconds.optional(),
    clientCredentialsTtlSeconds: seconds.optional(),
    codeTtlSeconds: seconds.optional(),
    strictAuth: z.boolean().optional(),
  })
  .strict();

const sessionTokenSchema = z
  .object({
    shop: z.string().refine(isShopDomain, 'must be a *.myshopify.com domain'),
    clientId: z.string().min(1).optional(),
    /** Negative mints an already expired token (tests of the refusal). */
    ttlSeconds: z.number().int().min(-86_400).max(86_400).default(60),
    sub: z.string().min(1).max(100).optional(),
  })
  .strict();

function checkShop(shop: string): string {
  if (!isShopDomain(shop))
    throw new BadRequestException({ message: 'shop must be a *.myshopify.com domain' });
  return shop;
}

/** Steering the install side: apps, token lifetimes, session tokens, statistics. */
@ApiTags('install simulation')
@ApiBearerAuth()
@Controller('sim')
export class SimOAuthController {
  constructor(
    private readonly apps: AppRegistry,
    private readonly tokens: TokenStore,
    @Inject(INSTALLS_CLOCK) private readonly clock: Clock,
  ) {}

  @Post('apps')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Register (or replace) an app: client id, secret, scopes, redirect URLs',
  })
  register(@Body() body: unknown): Omit<AppRegistration, 'clientSecret'> {
    const input = parseBody(appSchema, body);
    const app: AppRegistration = {
      clientId: input.clientId,
      clientSecret: input.clientSecret,
      scopes: input.scopes ?? DEFAULT_APP_SCOPES,
      redirectUrls: input.redirectUrls ?? [],
    };
    this.apps.register(app);
    return { clientId: app.clientId, scopes: app.scopes, redirectUrls: app.redirectUrls };
  }

  @Get('apps')
  @ApiOperation({ summary: 'Registered apps (never their secrets)' })
  listApps(): Omit<AppRegistration, 'clientSecret'>[] {
    return this.apps.list();
  }

  @Get('oauth/settings')
  settings(): OAuthSettings {
    return this.tokens.settings;
  }

  @Post('oauth/settings')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Token lifetimes for tokens issued from now on (seconds), and strictAuth (every shop takes only issued tokens)',
  })
  updateSettings(@Body() body: unknown): OAuthSettings {
    return this.tokens.updateSettings(parseBody(settingsSchema, body));
  }

  @Post('oauth/session-token')
  @HttpCode(201)
  @ApiOperation({ summary: 'Mint the session token (JWT) App Bridge would give an embedded app' })
  sessionToken(@Body() body: unknown): { token: string } {
    const input = parseBody(sessionTokenSchema, body);
    const app = this.apps.get(input.clientId ?? this.defaultClientId());
    if (!app) throw new BadRequestException({ message: 'unknown clientId' });
    return {
      token: mintSessionToken(input.shop, app.clientId, app.clientSecret, {
        nowSeconds: Math.floor(this.clock() / 1000),
        ttlSeconds: input.ttlSeconds,
        sub: input.sub,
      }),
    };
  }

  @Get('oauth/stats')
  @ApiOperation({ summary: 'Grants per type, refreshes, reused refresh tokens, errors, 401s' })
  stats(): OAuthStats {
    return this.tokens.stats();
  }

  @Get('oauth/shops/:shop')
  @ApiOperation({
    summary:
      'One shop: every access and refresh token issued for it (tests search logs for them), its refreshes, refresh tokens used again, 401s',
  })
  shopView(@Param('shop') shop: string): ShopOAuthView {
    return this.tokens.shopView(checkShop(shop));
  }

  @Post('shops/:shop/legacy-token')
  @HttpCode(201)
  @ApiOperation({
    summary: 'A permanent shpat_ token of an admin-created app; the shop becomes strict',
  })
  legacyToken(@Param('shop') shop: string): { accessToken: string } {
    return { accessToken: this.tokens.legacyToken(checkShop(shop)) };
  }

  private defaultClientId(): string {
    return this.apps.list()[0]?.clientId ?? '';
  }
}
