import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { PRICING_RULES_ID, STORE_CONFIG_ID } from '@shopwire/cache';
import { Access, ShopFrom } from '@shopwire/http';
import type { FastifyReply } from 'fastify';
import { CatalogCache } from './catalog-cache';
import { CatalogShopQueryDto, fromOrigin, ProductIdParamsDto, sendDocument } from './catalog-http';

const NO_ACCESS = 'No such product, or this service has no Admin API access to the shop';

/**
 * Cached reads that always come from the shop's Admin API (the catalog mirror does not hold
 * them): a product's metafields, the store's settings and its pricing rules (discounts).
 */
@ApiTags('catalog')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing or unknown bearer token' })
@ApiServiceUnavailableResponse({ description: 'The Shopify Admin API is not answering' })
@ApiBadRequestResponse({ description: 'Missing or malformed shop or id' })
@Controller('catalog')
export class StoreDataController {
  constructor(private readonly cache: CatalogCache) {}

  @Get('products/:id/metafields')
  @Access('catalog:read', ShopFrom.query())
  @ApiOperation({
    summary: 'A product’s metafields (first 50; cached; purged on its products webhooks)',
  })
  @ApiOkResponse({
    schema: {
      example: {
        product_id: '820982911946154508',
        metafields: [
          {
            namespace: 'custom',
            key: 'material',
            type: 'single_line_text_field',
            value: 'Stoneware',
          },
        ],
        truncated: false,
      },
    },
  })
  @ApiNotFoundResponse({ description: NO_ACCESS })
  async metafields(
    @Param() { id }: ProductIdParamsDto,
    @Query() q: CatalogShopQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const found = await fromOrigin(this.cache.metafields.get(q.shop, id));
    return sendDocument(reply, found, 'product not found');
  }

  @Get('store-config')
  @Access('catalog:read', ShopFrom.query())
  @ApiOperation({ summary: 'The store’s settings (cached; purged on shop/update)' })
  @ApiOkResponse({
    schema: {
      example: {
        shop: 'acme.myshopify.com',
        name: 'Acme',
        currency_code: 'EUR',
        iana_timezone: 'Europe/Berlin',
        weight_unit: 'KILOGRAMS',
        taxes_included: true,
        plan: { display_name: 'Advanced', shopify_plus: false },
      },
    },
  })
  @ApiNotFoundResponse({ description: 'This service has no Admin API access to the shop' })
  async storeConfig(
    @Query() q: CatalogShopQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const found = await fromOrigin(this.cache.storeConfig.get(q.shop, STORE_CONFIG_ID));
    return sendDocument(reply, found, 'store config not found');
  }

  @Get('pricing-rules')
  @Access('catalog:read', ShopFrom.query())
  @ApiOperation({
    summary:
      'The shop’s active and scheduled discounts (cached; purged on discounts/*). Apply starts_at/ends_at yourself: a discount starts and ends without a webhook',
  })
  @ApiOkResponse({
    schema: {
      example: {
        discounts: [
          {
            id: '1057856622',
            admin_graphql_api_id: 'gid://shopify/DiscountAutomaticNode/1057856622',
            method: 'automatic',
            title: '10% off everything',
            status: 'active',
            summary: '10% off each eligible item',
            starts_at: '2026-10-28T00:00:00Z',
            ends_at: null,
            value: { type: 'percentage', percentage: '0.1' },
            code: null,
          },
        ],
        truncated: false,
      },
    },
  })
  @ApiNotFoundResponse({ description: 'This service has no Admin API access to the shop' })
  async pricingRules(
    @Query() q: CatalogShopQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const found = await fromOrigin(this.cache.pricingRules.get(q.shop, PRICING_RULES_ID));
    return sendDocument(reply, found, 'pricing rules not found');
  }
}
