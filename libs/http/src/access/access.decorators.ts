import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiForbiddenResponse } from '@nestjs/swagger';
import type { ApiScope } from '@shopwire/config';

/**
 * Where a route's shop comes from, so the guard can refuse a shop outside the credential before
 * the handler runs:
 * - `query` / `param`: `?shop=` or `:shop` (or the named field);
 * - `body`: a dotted path in the JSON body (e.g. `params.shop`);
 * - `filtered`: the route spans shops (a list without a shop); the handler limits its answer to
 *   the caller's shops (`ApiCaller.shopFilter`);
 * - `resource`: the shop is known once the resource is loaded; the handler calls
 *   `ApiCaller.assertShop`;
 * - `any-shop-credential`: spans shops and cannot be filtered; only `"*"` credentials may call.
 */
export type ShopSource =
  | { from: 'query' | 'param'; name?: string }
  | { from: 'body'; path: string }
  | { from: 'filtered' }
  | { from: 'resource' }
  | { from: 'any-shop-credential' };

export interface RouteAccess {
  scope: ApiScope;
  shop: ShopSource;
}

export const ROUTE_ACCESS = 'shopwire:route-access';

/**
 * Declares what a route needs: a scope, and where its shop comes from. Every route of a service
 * declares this or `@PublicRoute()`; `ApiAccessGuard` refuses a route that declares neither, and
 * the route-generated access suite fails on it.
 */
export const Access = (scope: ApiScope, shop: ShopSource) =>
  applyDecorators(
    SetMetadata(ROUTE_ACCESS, { scope, shop } satisfies RouteAccess),
    ApiForbiddenResponse({
      description: `Needs scope \`${scope}\` and a credential covering the shop`,
    }),
  );

/** Shorthands for the common shop sources. */
export const ShopFrom = {
  query: (name = 'shop'): ShopSource => ({ from: 'query', name }),
  param: (name = 'shop'): ShopSource => ({ from: 'param', name }),
  body: (path: string): ShopSource => ({ from: 'body', path }),
  filtered: { from: 'filtered' } as ShopSource,
  resource: { from: 'resource' } as ShopSource,
  anyShopCredential: { from: 'any-shop-credential' } as ShopSource,
};
