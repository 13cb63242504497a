import { Body, Controller, Get, HttpCode, HttpException, Param, Post, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { Access, ShopFrom } from '@shopwire/http';
import type { FastifyReply } from 'fastify';
import { parseShopDomain } from '../install/shop-domain';
import {
  ReauthRequiredError,
  ShopNotInstalledError,
  TokenUnavailableError,
} from './credentials.errors';
import { AccessTokenDto, RefreshRequestDto, TokenErrorDto } from './dto/shops.dto';
import { InstallationsService, type AccessToken } from './installations.service';

const SHA256_HEX = /^[0-9a-fA-F]{64}$/;

/**
 * The internal token API: the one designed exception to "tokens never in an API answer"
 * (ADR 0006). Bearer-authenticated like every internal API; `Cache-Control: no-store` on every
 * answer, errors included, so no proxy or client cache keeps a token.
 */
@ApiTags('tokens')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing or unknown bearer token' })
@ApiNotFoundResponse({
  type: TokenErrorDto,
  description: '`not_installed`: never installed, or uninstalled',
})
@ApiConflictResponse({
  type: TokenErrorDto,
  description: '`reauth_required`: Shopify refused the credentials',
})
@ApiServiceUnavailableResponse({
  type: TokenErrorDto,
  description: '`token_unavailable`: a due refresh failed and the stored token expired; retry',
})
@ApiParam({ name: 'shop', example: 'acme.myshopify.com' })
@Controller('internal/shops/:shop/access-token')
export class TokensController {
  constructor(private readonly installations: InstallationsService) {}

  @Get()
  @Access('shops:tokens', ShopFrom.param())
  @ApiOperation({ summary: "The shop's Admin API access token (refreshed first when near expiry)" })
  @ApiOkResponse({ type: AccessTokenDto })
  async get(
    @Param('shop') raw: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AccessTokenDto> {
    reply.header('cache-control', 'no-store');
    const shop = validShop(raw);
    return answer(shop, () => this.installations.accessToken(shop));
  }

  @Post('refresh')
  @Access('shops:tokens', ShopFrom.param())
  @HttpCode(200)
  @ApiOperation({
    summary: 'After Shopify answered 401: refresh if the stored token is still the rejected one',
    description:
      'Only the first of N callers reporting the same rejected token causes a refresh; the others get the token it stored.',
  })
  @ApiBody({ type: RefreshRequestDto })
  @ApiOkResponse({ type: AccessTokenDto })
  async refresh(
    @Param('shop') raw: string,
    @Body() body: Partial<RefreshRequestDto> | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AccessTokenDto> {
    reply.header('cache-control', 'no-store');
    const shop = validShop(raw);
    const rejected = body?.rejectedTokenSha256;
    if (typeof rejected !== 'string' || !SHA256_HEX.test(rejected)) {
      throw new HttpException(
        { code: 'invalid_request', message: 'rejectedTokenSha256 must be 64 hex characters' },
        400,
      );
    }
    return answer(shop, () => this.installations.refreshRejected(shop, rejected));
  }
}

function validShop(raw: string): string {
  const shop = parseShopDomain(raw);
  if (shop === null) {
    throw new HttpException({ code: 'invalid_shop', message: 'expected x.myshopify.com' }, 400);
  }
  return shop;
}

async function answer(shop: string, work: () => Promise<AccessToken>): Promise<AccessTokenDto> {
  try {
    const token = await work();
    return {
      shop,
      accessToken: token.accessToken,
      expiresAt: token.expiresAt ? token.expiresAt.toISOString() : null,
      scopes: token.scopes,
      version: token.version,
    };
  } catch (error) {
    if (error instanceof ShopNotInstalledError) throw new HttpException({ code: error.code }, 404);
    if (error instanceof ReauthRequiredError) throw new HttpException({ code: error.code }, 409);
    if (error instanceof TokenUnavailableError) {
      throw new HttpException({ code: error.code, reason: error.reason }, 503);
    }
    throw error;
  }
}
