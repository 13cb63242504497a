import { Body, Controller, Header, HttpCode, Param, Post, UseFilters } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiCreatedResponse,
  ApiOperation,
  ApiParam,
  ApiResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { z } from '@shopwire/config';
import { Access, ShopFrom } from '@shopwire/http';
import { InstallOutcomeDto, InstallRefusalDto, LegacyTokenDto } from './dto/install.dto';
import { InstallRefused } from './install-refusal';
import { InstallRefusedFilter } from './install-refused.filter';
import { InstallService, type InstallOutcome } from './install.service';
import { parseShopDomain } from './shop-domain';

const legacyTokenBody = z.object({
  // Printable ASCII without spaces: what Admin API tokens are made of.
  accessToken: z
    .string({
      required_error: 'accessToken is required',
      invalid_type_error: 'accessToken must be a string',
    })
    .regex(
      /^[\x21-\x7e]{8,512}$/,
      'accessToken must be 8 to 512 printable characters without spaces',
    ),
});

function shopOf(value: string): string {
  const shop = parseShopDomain(value);
  if (shop === null) {
    throw new InstallRefused('bad_shop', "shop must be the store's x.myshopify.com domain");
  }
  return shop;
}

/**
 * Installs an operator starts (internal API, scope `shops:admin`): an organization's own store
 * through the client credentials grant, and a legacy admin-created app's permanent token.
 */
@ApiTags('install')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing or unknown bearer token' })
@UseFilters(InstallRefusedFilter)
@Controller('shops/:shop')
export class ShopGrantsController {
  constructor(private readonly installs: InstallService) {}

  @Post('client-credentials')
  @Access('shops:admin', ShopFrom.param())
  @HttpCode(201)
  @Header('cache-control', 'no-store')
  @ApiOperation({
    summary: 'Install an organization-owned store with the client credentials grant',
    description:
      "For an app made in the Dev Dashboard by the organization that owns the store: a 24 h token for the app's client id and secret, stored encrypted and fetched again before it expires.",
  })
  @ApiParam({ name: 'shop', example: 'acme.myshopify.com' })
  @ApiCreatedResponse({ type: InstallOutcomeDto })
  @ApiResponse({ status: 400, type: InstallRefusalDto, description: 'Not a shop domain' })
  @ApiResponse({
    status: 422,
    type: InstallRefusalDto,
    description: 'Shopify refused the grant for this shop',
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
  clientCredentials(@Param('shop') shop: string): Promise<InstallOutcome> {
    return this.installs.clientCredentials(shopOf(shop));
  }

  @Post('legacy-token')
  @Access('shops:admin', ShopFrom.param())
  @HttpCode(201)
  @Header('cache-control', 'no-store')
  @ApiOperation({
    summary: "Register a legacy admin-created app's permanent token",
    description:
      'Checked with one Admin API call (`{ shop { name } }`) before it is stored encrypted; a token the Admin API refuses is not stored. Admin-created apps can no longer be made (since 2026-01-01); existing ones keep working.',
  })
  @ApiParam({ name: 'shop', example: 'acme.myshopify.com' })
  @ApiBody({ type: LegacyTokenDto })
  @ApiCreatedResponse({ type: InstallOutcomeDto })
  @ApiResponse({
    status: 400,
    type: InstallRefusalDto,
    description: 'Not a shop domain, or no usable accessToken',
  })
  @ApiResponse({
    status: 422,
    type: InstallRefusalDto,
    description: 'The Admin API refused the token',
  })
  @ApiResponse({
    status: 503,
    type: InstallRefusalDto,
    description: 'The Admin API could not be reached; try again',
  })
  legacyToken(@Param('shop') shop: string, @Body() body: unknown): Promise<InstallOutcome> {
    const domain = shopOf(shop);
    const parsed = legacyTokenBody.safeParse(body ?? {});
    if (!parsed.success) {
      throw new InstallRefused('bad_request', parsed.error.issues.map((i) => i.message).join('; '));
    }
    return this.installs.legacyToken(domain, parsed.data.accessToken);
  }
}
