import {
  Controller,
  Get,
  Header,
  Headers,
  HttpCode,
  Post,
  Req,
  Res,
  UseFilters,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiFoundResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { PublicRoute } from '@shopwire/http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { InstallOutcomeDto, InstallRefusalDto } from './dto/install.dto';
import { checkCallback, checkInstallRequest } from './install-checks';
import { InstallRefused } from './install-refusal';
import { InstallRefusedFilter } from './install-refused.filter';
import { InstallStateCookie } from './install-state';
import { InstallService, type InstallOutcome } from './install.service';
import { parseQuery, type QueryParams } from './query-hmac';
import { parseShopDomain } from './shop-domain';

const rawQuery = (request: FastifyRequest): QueryParams | null => {
  const at = request.url.indexOf('?');
  return parseQuery(at < 0 ? '' : request.url.slice(at + 1));
};

/**
 * The public face of installing: a merchant's browser (authorization-code grant) and an embedded
 * app's back end (token exchange). The only routes of the service that face the internet.
 */
@ApiTags('install')
@PublicRoute()
@UseFilters(InstallRefusedFilter)
@Controller('auth')
export class InstallController {
  constructor(
    private readonly installs: InstallService,
    private readonly state: InstallStateCookie,
  ) {}

  @Get('install')
  @ApiOperation({
    summary: 'Start installing the app on a shop',
    description:
      "The install link (`?shop=x.myshopify.com`) or Shopify's signed install request (`shop`, `timestamp`, `hmac`, …; the signature and age are checked when `hmac` is present). Redirects the browser to the shop's consent screen with a `state` nonce bound to this browser by a signed, HttpOnly cookie.",
  })
  @ApiQuery({ name: 'shop', example: 'acme.myshopify.com' })
  @ApiQuery({ name: 'hmac', required: false })
  @ApiQuery({ name: 'timestamp', required: false })
  @ApiFoundResponse({
    description: 'To `{shop}/admin/oauth/authorize?client_id&scope&redirect_uri&state`',
  })
  @ApiResponse({
    status: 400,
    type: InstallRefusalDto,
    description: 'No or not a shop domain, or a repeated parameter',
  })
  @ApiResponse({
    status: 403,
    type: InstallRefusalDto,
    description: 'A signed request whose hmac or timestamp does not verify',
  })
  async install(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const shop = checkInstallRequest(rawQuery(request), this.installs.queryCheckOptions());
    const nonce = this.state.issue(reply, shop);
    await reply
      .header('cache-control', 'no-store')
      .redirect(this.installs.authorizeUrl(shop, nonce), 302);
  }

  @Get('callback')
  @ApiOperation({
    summary: "Shopify's redirect after the merchant approved",
    description:
      "Verifies the query hmac (hex, constant time), the shop domain, the timestamp and the state against this browser's cookie, then exchanges the code for an offline token (expiring, with a refresh token, by default) and stores it encrypted. Answers JSON, or a small HTML page for a browser; never the token.",
  })
  @ApiQuery({ name: 'code' })
  @ApiQuery({ name: 'hmac' })
  @ApiQuery({ name: 'shop' })
  @ApiQuery({ name: 'state' })
  @ApiQuery({ name: 'timestamp' })
  @ApiQuery({ name: 'host', required: false })
  @ApiOkResponse({ type: InstallOutcomeDto })
  @ApiResponse({
    status: 400,
    type: InstallRefusalDto,
    description: 'A missing, repeated or malformed parameter, or not a shop domain',
  })
  @ApiResponse({
    status: 403,
    type: InstallRefusalDto,
    description:
      'Bad hmac, old timestamp, missing or mismatched state, or a code Shopify refused (used, expired)',
  })
  @ApiResponse({
    status: 502,
    type: InstallRefusalDto,
    description: 'Shopify refused our client id or secret',
  })
  @ApiResponse({
    status: 503,
    type: InstallRefusalDto,
    description: 'Shopify unreachable; start again',
  })
  async callback(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const params = rawQuery(request);
    // Read (and clear) the cookie before anything can fail, so a nonce is never good twice.
    const shop = parseShopDomain(params?.get('shop'));
    const state = this.state.consume(request, reply, params?.get('state'), shop);
    const verified = checkCallback(params, state, this.installs.queryCheckOptions());
    const outcome = await this.installs.completeAuthorization(verified.shop, verified.code);
    await sendOutcome(request, reply, outcome);
  }

  @Post('token-exchange')
  @HttpCode(200)
  @Header('cache-control', 'no-store')
  @ApiBearerAuth()
  @ApiOperation({
    summary: "Install through an embedded app's session token (token exchange)",
    description:
      'The session token App Bridge gives the embedded front end, as `Authorization: Bearer <JWT>`: HS256 with the client secret, `aud` = client id, `exp`/`nbf`, `dest` = `https://{shop}`, `iss` = `https://{shop}/admin`. Exchanged at Shopify for an offline token, stored encrypted.',
  })
  @ApiHeader({ name: 'Authorization', description: 'Bearer <session token>', required: true })
  @ApiOkResponse({ type: InstallOutcomeDto })
  @ApiResponse({
    status: 401,
    type: InstallRefusalDto,
    description:
      'A missing or invalid session token (header X-Shopify-Retry-Invalid-Session-Request: 1)',
  })
  @ApiResponse({
    status: 502,
    type: InstallRefusalDto,
    description: 'Shopify refused our client id or secret',
  })
  @ApiResponse({
    status: 503,
    type: InstallRefusalDto,
    description: 'Shopify unreachable; try again',
  })
  async tokenExchange(
    @Headers('authorization') authorization: string | undefined,
  ): Promise<InstallOutcome> {
    const match =
      typeof authorization === 'string' ? /^Bearer\s+(\S+)$/i.exec(authorization) : null;
    if (!match) {
      throw new InstallRefused(
        'bad_session_token',
        'send the session token as Authorization: Bearer <token>',
      );
    }
    return this.installs.tokenExchange(match[1]);
  }
}

const escapeHtml = (value: string) => value.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** JSON for programs, a short page for the merchant's browser. */
async function sendOutcome(
  request: FastifyRequest,
  reply: FastifyReply,
  outcome: InstallOutcome,
): Promise<void> {
  void reply.header('cache-control', 'no-store');
  const accept = request.headers.accept ?? '';
  if (!accept.includes('text/html')) {
    await reply.status(200).send(outcome);
    return;
  }
  const shop = escapeHtml(outcome.shop);
  await reply
    .status(200)
    .type('text/html; charset=utf-8')
    .send(
      `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Shopwire installed</title></head><body><h1>Shopwire is installed on ${shop}</h1><p>Granted scopes: ${escapeHtml(outcome.scopes.join(', ') || '(none)')}. You can close this page.</p></body></html>`,
    );
}
