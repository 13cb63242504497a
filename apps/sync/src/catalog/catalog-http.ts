import { NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import type { CacheLookup } from '@shopwire/cache';
import { z } from '@shopwire/config';
import { isBreakerOpenError, RetriesExhaustedError } from '@shopwire/resilience';
import { isShopCredentialsError } from '@shopwire/shop-credentials';
import { isValidShopDomain } from '@shopwire/shopify';
import { isShopifyAdminError } from '@shopwire/shopify-admin';
import type { FastifyReply } from 'fastify';
import { createZodDto } from 'nestjs-zod';
import { NoShopAccessError } from '../admin-api/sync-admin-client';

/** What the catalog controllers share: input rules and how a cached document is sent. */
export const MAX_IDS = 100;

export const shopParam = z
  .string({ required_error: 'shop is required' })
  .refine(isValidShopDomain, 'shop must be a *.myshopify.com domain')
  .describe('The shop, e.g. acme.myshopify.com');

export const numericId = (what: string) =>
  z.string().regex(/^\d{1,19}$/, `id must be a numeric ${what} id`);

export const idList = (what: string) =>
  z
    .string({ required_error: 'ids is required' })
    .transform((v) => v.split(',').map((s) => s.trim()))
    .pipe(z.array(numericId(what)).min(1).max(MAX_IDS, `at most ${MAX_IDS} ids`))
    .describe(`Comma-separated ${what} ids, at most ${MAX_IDS}`);

// The request DTOs: each zod schema validates its input (the global ZodValidationPipe of
// @shopwire/http) and is that input's OpenAPI schema.
export class CatalogShopQueryDto extends createZodDto(z.object({ shop: shopParam })) {}
export class ProductIdParamsDto extends createZodDto(
  z.object({ id: numericId('product').describe('Shopify product id') }),
) {}
export class VariantIdParamsDto extends createZodDto(
  z.object({ id: numericId('variant').describe('Shopify variant id') }),
) {}
export class ProductIdsQueryDto extends createZodDto(
  z.object({ shop: shopParam, ids: idList('product') }),
) {}
export class VariantIdsQueryDto extends createZodDto(
  z.object({ shop: shopParam, ids: idList('variant') }),
) {}

/**
 * Shopify could not answer for now (5xx, throttled, timed out, the shop's breaker open), or the
 * shops service could not hand out the shop's token for now.
 */
export function isAdminApiUnavailable(error: unknown): boolean {
  const inner = error instanceof RetriesExhaustedError ? error.cause : error;
  return (
    isBreakerOpenError(inner) ||
    ((isShopifyAdminError(inner) || isShopCredentialsError(inner)) && inner.transient)
  );
}

/**
 * A cache read whose origin may be the Admin API: a shop this service holds no access token for
 * is a 404 that says so, and Shopify failing for now a 503 a client may retry (nothing is cached
 * either way, so the next read asks again).
 */
export async function fromOrigin<T>(read: Promise<T>): Promise<T> {
  try {
    return await read;
  } catch (error) {
    if (error instanceof NoShopAccessError)
      throw new NotFoundException('this service has no Admin API access to that shop');
    if (isAdminApiUnavailable(error))
      throw new ServiceUnavailableException('the Shopify Admin API is not answering; try again');
    throw error;
  }
}

/** One document, sent as the JSON text the cache holds (never re-serialised), or a 404. */
export function sendDocument(reply: FastifyReply, found: CacheLookup, notFound: string): string {
  void reply.header('x-cache', found.source === 'cache' ? 'hit' : 'miss');
  if (found.value === null) throw new NotFoundException(notFound);
  void reply.header('content-type', 'application/json; charset=utf-8');
  return found.value;
}

/** `{"<field>":[documents…],"not_found":[ids…]}`, built as text so each document goes out as cached. */
export function sendDocuments(
  reply: FastifyReply,
  found: Map<string, CacheLookup>,
  field: string,
): string {
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
  return `{"${field}":[${documents.join(',')}],"not_found":${JSON.stringify(missing)}}`;
}
