import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { PublicRoute } from '@shopwire/http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toShopifyJson, type JsonValue } from '../../webhooks/payloads/shopify-json.writer';
import { AdminGate } from '../admin-gate.service';
import { AdminMetrics } from '../admin-metrics';
import {
  arrayList,
  decodeCursor,
  encodeCursor,
  paginate,
  rangeList,
  type ConnectionArgs,
} from '../graphql/connection';
import { AdminShopsService, type ShopState } from '../shops/admin-shops.service';
import { REST_BUCKET_SIZE } from '../shops/plans';
import { orderJson, productJson } from './rest-render';

type Filters = Record<string, string>;
/** Query parameters that filter a list; with `page_info` they travel inside the cursor instead. */
const FILTERS = [
  'status',
  'since_id',
  'updated_at_min',
  'updated_at_max',
  'created_at_min',
  'created_at_max',
];

class RestError extends Error {
  constructor(
    readonly status: number,
    readonly body: JsonValue,
  ) {
    super(typeof body === 'string' ? body : 'rest error');
  }
}

/** page_info: the filters of the first request plus a position, as Shopify keeps them opaque. */
function encodePageInfo(filters: Filters, direction: 'next' | 'previous', cursor: string): string {
  return Buffer.from(JSON.stringify({ filters, direction, cursor }), 'utf8').toString('base64url');
}

function decodePageInfo(pageInfo: string): {
  filters: Filters;
  direction: 'next' | 'previous';
  cursor: string;
} {
  try {
    const value = JSON.parse(Buffer.from(pageInfo, 'base64url').toString('utf8')) as {
      filters: Filters;
      direction: 'next' | 'previous';
      cursor: string;
    };
    decodeCursor(value.cursor);
    return value;
  } catch {
    throw new RestError(400, { errors: { page_info: 'Invalid value.' } });
  }
}

function dateFilter(filters: Filters, name: string): number | null {
  const value = filters[name];
  if (value === undefined) return null;
  const at = Date.parse(value);
  if (Number.isNaN(at)) throw new RestError(400, { errors: { [name]: 'Invalid date.' } });
  return at;
}

/** `since_id`: only records with a greater id (the legacy way to walk a whole list). */
function afterSinceId(id: bigint, filters: Filters): boolean {
  const since = filters.since_id;
  if (since === undefined) return true;
  if (!/^\d{1,20}$/.test(since))
    throw new RestError(400, { errors: { since_id: 'Invalid value.' } });
  return id > BigInt(since);
}

function inRange(at: Date, filters: Filters, field: 'updated_at' | 'created_at'): boolean {
  const min = dateFilter(filters, `${field}_min`);
  const max = dateFilter(filters, `${field}_max`);
  return (min === null || at.getTime() >= min) && (max === null || at.getTime() <= max);
}

/**
 * The legacy REST Admin API subset: products and orders, list (limit, page_info cursors, Link
 * header), one by id, count. Every request, answered or not, goes through the shop's 40-request
 * leaky bucket: `X-Shopify-Shop-Api-Call-Limit: used/40`, and over the limit 429 with a
 * fractional `Retry-After` in seconds.
 */
@ApiExcludeController()
@PublicRoute()
@Controller('shops/:shop/admin/api/:version')
export class AdminRestController {
  constructor(
    private readonly gate: AdminGate,
    private readonly shops: AdminShopsService,
    private readonly metrics: AdminMetrics,
  ) {}

  @Get('products.json')
  products(
    @Param('shop') shop: string,
    @Query() query: Record<string, string>,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    return this.handle(shop, request, reply, (state) =>
      this.list(
        state,
        request,
        reply,
        query,
        FILTERS,
        'products',
        state.store.sizes.products,
        (filters) =>
          Object.keys(filters).length === 0
            ? null
            : (index) => {
                const product = state.store.product(index);
                if (
                  filters.status &&
                  !filters.status.split(',').includes(product.status.toLowerCase())
                )
                  return false;
                return (
                  afterSinceId(product.id, filters) &&
                  inRange(product.updatedAt, filters, 'updated_at') &&
                  inRange(product.createdAt, filters, 'created_at')
                );
              },
        (index) => productJson(state.store, index),
      ),
    );
  }

  @Get('products/:file')
  product(
    @Param('shop') shop: string,
    @Param('file') file: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    return this.handle(shop, request, reply, (state): JsonValue => {
      if (file === 'count.json') return { count: state.store.sizes.products };
      const index = this.indexFromFile(file, (id) => state.store.productIndex(id));
      return { product: productJson(state.store, index) };
    });
  }

  @Get('orders.json')
  orders(
    @Param('shop') shop: string,
    @Query() query: Record<string, string>,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    return this.handle(shop, request, reply, (state) =>
      this.list(
        state,
        request,
        reply,
        query,
        FILTERS,
        'orders',
        state.store.sizes.orders,
        (filters) => (index) => {
          const order = state.store.order(index);
          // Shopify lists only open orders unless asked for status=any (or cancelled/closed).
          const status = filters.status ?? 'open';
          if (status === 'open' && order.cancelledAt) return false;
          if (status === 'cancelled' && !order.cancelledAt) return false;
          if (status === 'closed') return false;
          return (
            afterSinceId(order.id, filters) &&
            inRange(order.updatedAt, filters, 'updated_at') &&
            inRange(order.createdAt, filters, 'created_at')
          );
        },
        (index) => orderJson(state.store, index),
      ),
    );
  }

  @Get('orders/:file')
  order(
    @Param('shop') shop: string,
    @Param('file') file: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    return this.handle(shop, request, reply, (state) => {
      const index = this.indexFromFile(file, (id) => state.store.orderIndex(id));
      return { order: orderJson(state.store, index) };
    });
  }

  private async handle(
    shop: string,
    request: FastifyRequest,
    reply: FastifyReply,
    answer: (state: ShopState) => JsonValue,
  ): Promise<void> {
    if (!(await this.gate.admit('rest', shop, request, reply))) return;
    const state = this.shops.get(shop);
    state.stats.rest.requests += 1;
    if (!state.rest.tryTake(1)) {
      state.stats.rest.throttled += 1;
      this.metrics.request('rest', 'throttled');
      // Tenths of a second, never 0, always with a decimal point: "0.5", "2.0".
      const retryAfter = Math.max(0.1, Math.ceil(state.rest.secondsUntil(1) * 10) / 10).toFixed(1);
      await reply
        .status(429)
        .header('retry-after', retryAfter)
        .header('x-shopify-shop-api-call-limit', `${REST_BUCKET_SIZE}/${REST_BUCKET_SIZE}`)
        .send({
          errors:
            'Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.',
        });
      return;
    }
    reply.header(
      'x-shopify-shop-api-call-limit',
      `${Math.ceil(REST_BUCKET_SIZE - state.rest.level())}/${REST_BUCKET_SIZE}`,
    );
    let status = 200;
    let body: JsonValue;
    try {
      body = answer(state);
      this.metrics.request('rest', 'ok');
    } catch (error) {
      if (!(error instanceof RestError)) throw error;
      this.metrics.request('rest', 'invalid');
      status = error.status;
      body = error.body;
    }
    await reply
      .status(status)
      .header('content-type', 'application/json; charset=utf-8')
      .send(toShopifyJson(body));
  }

  private indexFromFile(file: string, lookup: (id: bigint) => number | null): number {
    const match = /^(\d{1,20})\.json$/.exec(file);
    const index = match ? lookup(BigInt(match[1]!)) : null;
    if (index === null) throw new RestError(404, { errors: 'Not Found' });
    return index;
  }

  private list(
    state: ShopState,
    request: FastifyRequest,
    reply: FastifyReply,
    query: Record<string, string>,
    filterNames: string[],
    resource: 'products' | 'orders',
    count: number,
    /** null: nothing to filter, the list stays virtual. */
    predicateFor: (filters: Filters) => ((index: number) => boolean) | null,
    render: (index: number) => JsonValue,
  ): JsonValue {
    const limit = query.limit === undefined ? 50 : Number(query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 250)
      throw new RestError(400, { errors: { limit: 'Invalid value.' } });
    let filters: Filters;
    const args: ConnectionArgs = {};
    if (query.page_info) {
      // Shopify: with page_info, only limit (and fields) may be given; the filters travel inside it.
      const page = decodePageInfo(query.page_info);
      filters = page.filters;
      if (page.direction === 'next') Object.assign(args, { first: limit, after: page.cursor });
      else Object.assign(args, { last: limit, before: page.cursor });
    } else {
      filters = Object.fromEntries(
        filterNames.filter((name) => query[name] !== undefined).map((name) => [name, query[name]!]),
      );
      args.first = limit;
    }
    const predicate = predicateFor(filters);
    let list = rangeList(count);
    if (predicate) {
      const matching: number[] = [];
      for (let index = 0; index < count; index++) if (predicate(index)) matching.push(index);
      list = arrayList(matching);
    }
    const page = paginate(list, args, (index) => index);
    const links: string[] = [];
    const base = `${request.protocol}://${request.headers.host ?? '127.0.0.1'}${request.url.split('?')[0]}`;
    const link = (direction: 'next' | 'previous', index: number) =>
      `<${base}?limit=${limit}&page_info=${encodePageInfo(filters, direction, encodeCursor(index))}>; rel="${direction}"`;
    if (page.pageInfo.hasPreviousPage && page.nodes.length > 0)
      links.push(link('previous', page.nodes[0]!));
    if (page.pageInfo.hasNextPage && page.nodes.length > 0)
      links.push(link('next', page.nodes.at(-1)!));
    if (links.length > 0) reply.header('link', links.join(', '));
    return { [resource]: page.nodes.map(render) };
  }
}
