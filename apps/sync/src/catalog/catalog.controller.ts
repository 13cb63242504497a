import {
  BadRequestException,
  Controller,
  Get,
  NotFoundException,
  Param,
  Query,
  Res,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { z } from '@shopwire/config';
import { isValidShopDomain } from '@shopwire/shopify';
import type { FastifyReply } from 'fastify';
import { CatalogCache } from './catalog-cache';

const MAX_IDS = 100;

const shop = z
  .string({ required_error: 'shop is required' })
  .refine(isValidShopDomain, 'shop must be a *.myshopify.com domain');
const productId = z.string().regex(/^\d{1,19}$/, 'id must be a numeric product id');

function parse<T extends z.ZodTypeAny>(schema: T, input: unknown): z.infer<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data as z.infer<T>;
  throw new BadRequestException(result.error.issues.map((issue) => issue.message));
}

const PRODUCT_EXAMPLE = {
  id: '820982911946154508',
  title: 'Mug',
  handle: 'mug',
  status: 'active',
  updated_at: '2026-11-27T06:00:00+00:00',
  variants: [{ id: '1', sku: 'MUG-1', price: '12.00', inventory_item_id: '2' }],
};

/**
 * Cached catalog reads. Documents are sent as the JSON text the cache holds (IDs as strings,
 * never re-serialised). `X-Cache: hit|miss` says where the answer came from. Inventory levels
 * and order status are not served here: they are never cached (see libs/cache).
 */
@ApiTags('catalog')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing or unknown bearer token' })
@ApiBadRequestResponse({ description: 'Missing or malformed shop or id(s)' })
@Controller('catalog')
export class CatalogController {
  constructor(private readonly cache: CatalogCache) {}

  @Get('products/:id')
  @ApiOperation({ summary: 'One product (cached; purged on products webhooks)' })
  @ApiQuery({ name: 'shop', example: 'acme.myshopify.com' })
  @ApiOkResponse({ schema: { example: PRODUCT_EXAMPLE } })
  @ApiNotFoundResponse({ description: 'No such product in this shop (or deleted)' })
  async product(
    @Param('id') id: string,
    @Query('shop') shopDomain: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const q = parse(z.object({ shop, id: productId }), { shop: shopDomain, id });
    const found = await this.cache.products.get(q.shop, q.id);
    void reply.header('x-cache', found.source === 'cache' ? 'hit' : 'miss');
    if (found.value === null) throw new NotFoundException('product not found');
    void reply.header('content-type', 'application/json; charset=utf-8');
    return found.value;
  }

  @Get('products')
  @ApiOperation({
    summary: `Several products at once (up to ${MAX_IDS} ids): one cache read, one origin call for the misses`,
  })
  @ApiQuery({ name: 'shop', example: 'acme.myshopify.com' })
  @ApiQuery({ name: 'ids', example: '820982911946154508,820982911946154509' })
  @ApiOkResponse({ schema: { example: { products: [PRODUCT_EXAMPLE], not_found: ['1'] } } })
  async products(
    @Query('shop') shopDomain: string | undefined,
    @Query('ids') idList: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const q = parse(
      z.object({
        shop,
        ids: z
          .string({ required_error: 'ids is required' })
          .transform((v) => v.split(',').map((s) => s.trim()))
          .pipe(z.array(productId).min(1).max(MAX_IDS, `at most ${MAX_IDS} ids`)),
      }),
      { shop: shopDomain, ids: idList },
    );
    const found = await this.cache.products.getMany(q.shop, q.ids);
    const documents: string[] = [];
    const missing: string[] = [];
    let hits = 0;
    for (const [id, lookup] of found) {
      if (lookup.source === 'cache') hits++;
      if (lookup.value === null) missing.push(id);
      else documents.push(lookup.value);
    }
    void reply.header('x-cache', `${hits}/${found.size} hit`);
    void reply.header('content-type', 'application/json; charset=utf-8');
    // Built as text so each document goes out exactly as cached.
    return `{"products":[${documents.join(',')}],"not_found":${JSON.stringify(missing)}}`;
  }
}
