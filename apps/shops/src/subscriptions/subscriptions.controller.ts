import { Controller, Get, HttpCode, HttpException, Param, Post } from '@nestjs/common';
import {
  ApiBadGatewayResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { Access, ShopFrom } from '@shopwire/http';
import { ReauthRequiredError, ShopNotInstalledError } from '../credentials/credentials.errors';
import { parseShopDomain } from '../install/shop-domain';
import { ReconcileReportDto, SubscriptionsViewDto } from './dto/subscriptions.dto';
import { SubscriptionsService } from './subscriptions.service';

function shopOf(raw: string): string {
  const shop = parseShopDomain(raw);
  if (shop === null)
    throw new HttpException({ code: 'invalid_shop', message: 'expected x.myshopify.com' }, 400);
  return shop;
}

/** A shop's webhook subscriptions: declared vs last seen, and a reconcile on demand. */
@ApiTags('webhook subscriptions')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing or unknown bearer token' })
@Controller('shops/:shop/webhook-subscriptions')
export class SubscriptionsController {
  constructor(private readonly service: SubscriptionsService) {}

  @Get()
  @Access('shops:read', ShopFrom.param())
  @ApiOperation({ summary: 'Declared subscriptions next to what the last check found' })
  @ApiParam({ name: 'shop', example: 'acme.myshopify.com' })
  @ApiOkResponse({ type: SubscriptionsViewDto })
  @ApiNotFoundResponse({ description: '`not_installed`: never installed' })
  async get(@Param('shop') raw: string): Promise<SubscriptionsViewDto> {
    const view = await this.service.view(shopOf(raw));
    if (!view) throw new HttpException({ code: 'not_installed' }, 404);
    return SubscriptionsViewDto.from(view);
  }

  @Post('reconcile')
  @Access('shops:admin', ShopFrom.param())
  @HttpCode(200)
  @ApiOperation({
    summary: "Reconcile the shop's subscriptions now (create missing, repair, delete our stale)",
  })
  @ApiParam({ name: 'shop', example: 'acme.myshopify.com' })
  @ApiOkResponse({ type: ReconcileReportDto, description: 'Done; `failed` lists refused changes' })
  @ApiNotFoundResponse({ description: '`not_installed`: not installed now' })
  @ApiConflictResponse({ description: '`reauth_required`: the shop must install again' })
  @ApiBadGatewayResponse({ description: '`shopify_unavailable`: the listing failed' })
  async reconcile(@Param('shop') raw: string): Promise<ReconcileReportDto> {
    const shop = shopOf(raw);
    try {
      return ReconcileReportDto.from(await this.service.reconcile(shop, 'manual'));
    } catch (error) {
      if (error instanceof ShopNotInstalledError)
        throw new HttpException({ code: 'not_installed' }, 404);
      if (error instanceof ReauthRequiredError)
        throw new HttpException({ code: 'reauth_required' }, 409);
      throw new HttpException(
        {
          code: 'shopify_unavailable',
          // The client's messages name the error kind and status, never a token or a body.
          message: error instanceof Error ? error.message : 'unknown error',
        },
        502,
      );
    }
  }
}
