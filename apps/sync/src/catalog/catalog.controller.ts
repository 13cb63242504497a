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
import { Access, ShopFrom } from '@shopwire/http';
import type { FastifyReply } from 'fastify';
import { CatalogCache } from './catalog-cache';
import {
  CatalogShopQueryDto,
  fromOrigin,
  MAX_IDS,
  ProductIdParamsDto,
  ProductIdsQueryDto,
  sendDocument,
  sendDocuments,
  VariantIdParamsDto,
  VariantIdsQueryDto,
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
  @ApiOkResponse({ schema: { example: PRODUCT_EXAMPLE } })
  @ApiNotFoundResponse({ description: 'No such product in this shop (or deleted)' })
  async product(
    @Param() { id }: ProductIdParamsDto,
    @Query() q: CatalogShopQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const found = await fromOrigin(this.cache.products.get(q.shop, id));
    return sendDocument(reply, found, 'product not found');
  }

  @Get('products')
  @Access('catalog:read', ShopFrom.query())
  @ApiOperation({
    summary: `Several products at once (up to ${MAX_IDS} ids): one cache read, one origin call for the misses`,
  })
  @ApiOkResponse({ schema: { example: { products: [PRODUCT_EXAMPLE], not_found: ['1'] } } })
  async products(
    @Query() q: ProductIdsQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const found = await fromOrigin(this.cache.products.getMany(q.shop, q.ids));
    return sendDocuments(reply, found, 'products');
  }

  @Get('variants/:id')
  @Access('catalog:read', ShopFrom.query())
  @ApiOperation({
    summary:
      'One variant (cached; purged on the products webhooks that list it or delete its product)',
  })
  @ApiOkResponse({ schema: { example: VARIANT_EXAMPLE } })
  @ApiNotFoundResponse({ description: 'No such variant in this shop (or its product was deleted)' })
  async variant(
    @Param() { id }: VariantIdParamsDto,
    @Query() q: CatalogShopQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const found = await fromOrigin(this.cache.variants.get(q.shop, id));
    return sendDocument(reply, found, 'variant not found');
  }

  @Get('variants')
  @Access('catalog:read', ShopFrom.query())
  @ApiOperation({
    summary: `Several variants at once (up to ${MAX_IDS} ids): one cache read, one origin call for the misses`,
  })
  @ApiOkResponse({ schema: { example: { variants: [VARIANT_EXAMPLE], not_found: ['1'] } } })
  async variants(
    @Query() q: VariantIdsQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const found = await fromOrigin(this.cache.variants.getMany(q.shop, q.ids));
    return sendDocuments(reply, found, 'variants');
  }
}
