import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { z } from '@shopwire/config';
import { Access, ShopFrom } from '@shopwire/http';
import type { FastifyReply } from 'fastify';
import { CatalogCache } from './catalog-cache';
import {
  fromOrigin,
  idList,
  MAX_IDS,
  numericId,
  parse,
  sendDocument,
  sendDocuments,
  shopParam,
} from './catalog-http';

const PRODUCT_EXAMPLE = {
  id: '820982911946154508',
  title: 'Mug',
  handle: 'mug',
  status: 'active',
  updated_at: '2026-11-27T06:00:00+00:00',
  variants: [{ id: '1', sku: 'MUG-1', price: '12.00', inventory_item_id: '2' }],
};

const VARIANT_EXAMPLE = {
  id: '44028839100589432',
  product_id: '820982911946154508',
  sku: 'MUG-1',
  price: '12.00',
  inventory_item_id: '2',
};

/**
 * Cached catalog reads: products and variants. Documents are sent as the JSON text the cache
 * holds (IDs as strings, never re-serialised). `X-Cache: hit|miss` says where the answer came
 * from. Inventory levels and order status are not served here: they are never cached (see
 * libs/cache), and no document carries an inventory quantity.
 */
@ApiTags('catalog')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing or unknown bearer token' })
@ApiServiceUnavailableResponse({
  description: 'With CATALOG_ORIGIN=admin-api: the Shopify Admin API is not answering',
})
@ApiBadRequestResponse({ description: 'Missing or malformed shop or id(s)' })
@Controller('catalog')
export class CatalogController {
  constructor(private readonly cache: CatalogCache) {}

  @Get('products/:id')
  @Access('catalog:read', ShopFrom.query())
  @ApiOperation({ summary: 'One product (cached; purged on products webhooks)' })
  @ApiQuery({ name: 'shop', example: 'acme.myshopify.com' })
  @ApiOkResponse({ schema: { example: PRODUCT_EXAMPLE } })
  @ApiNotFoundResponse({ description: 'No such product in this shop (or deleted)' })
  async product(
    @Param('id') id: string,
    @Query('shop') shop: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const q = parse(z.object({ shop: shopParam, id: numericId('product') }), { shop, id });
    const found = await fromOrigin(this.cache.products.get(q.shop, q.id));
    return sendDocument(reply, found, 'product not found');
  }

  @Get('products')
  @Access('catalog:read', ShopFrom.query())
  @ApiOperation({
    summary: `Several products at once (up to ${MAX_IDS} ids): one cache read, one origin call for the misses`,
  })
  @ApiQuery({ name: 'shop', example: 'acme.myshopify.com' })
  @ApiQuery({ name: 'ids', example: '820982911946154508,820982911946154509' })
  @ApiOkResponse({ schema: { example: { products: [PRODUCT_EXAMPLE], not_found: ['1'] } } })
  async products(
    @Query('shop') shop: string | undefined,
    @Query('ids') ids: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const q = parse(z.object({ shop: shopParam, ids: idList('product') }), { shop, ids });
    const found = await fromOrigin(this.cache.products.getMany(q.shop, q.ids));
    return sendDocuments(reply, found, 'products');
  }

  @Get('variants/:id')
  @Access('catalog:read', ShopFrom.query())
  @ApiOperation({
    summary:
      'One variant (cached; purged on the products webhooks that list it or delete its product)',
  })
  @ApiQuery({ name: 'shop', example: 'acme.myshopify.com' })
  @ApiOkResponse({ schema: { example: VARIANT_EXAMPLE } })
  @ApiNotFoundResponse({ description: 'No such variant in this shop (or its product was deleted)' })
  async variant(
    @Param('id') id: string,
    @Query('shop') shop: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const q = parse(z.object({ shop: shopParam, id: numericId('variant') }), { shop, id });
    const found = await fromOrigin(this.cache.variants.get(q.shop, q.id));
    return sendDocument(reply, found, 'variant not found');
  }

  @Get('variants')
  @Access('catalog:read', ShopFrom.query())
  @ApiOperation({
    summary: `Several variants at once (up to ${MAX_IDS} ids): one cache read, one origin call for the misses`,
  })
  @ApiQuery({ name: 'shop', example: 'acme.myshopify.com' })
  @ApiQuery({ name: 'ids', example: '44028839100589432,44028839100589433' })
  @ApiOkResponse({ schema: { example: { variants: [VARIANT_EXAMPLE], not_found: ['1'] } } })
  async variants(
    @Query('shop') shop: string | undefined,
    @Query('ids') ids: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const q = parse(z.object({ shop: shopParam, ids: idList('variant') }), { shop, ids });
    const found = await fromOrigin(this.cache.variants.getMany(q.shop, q.ids));
    return sendDocuments(reply, found, 'variants');
  }
}
