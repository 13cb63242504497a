import createClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { paths as AnalyticsPaths } from './generated/analytics';
import type { paths as GatewayPaths } from './generated/gateway';
import type { paths as InventoryPaths } from './generated/inventory';
import type { paths as NotificationPaths } from './generated/notification';
import type { paths as OrderPaths } from './generated/order';
import type { paths as ShopsPaths } from './generated/shops';
import type { paths as SyncPaths } from './generated/sync';

// Typed clients of Shopwire's internal APIs. The types are generated from each service's
// published OpenAPI document (openapi/<service>.json, `npm run openapi`); openapi-fetch is the
// runtime: paths, parameters and bodies are checked by the compiler, answers come back typed.

export type * as analytics from './generated/analytics';
export type * as gateway from './generated/gateway';
export type * as inventory from './generated/inventory';
export type * as notification from './generated/notification';
export type * as order from './generated/order';
export type * as shops from './generated/shops';
export type * as sync from './generated/sync';

export interface ShopwireClientOptions extends Omit<ClientOptions, 'baseUrl'> {
  /** The service's base URL, e.g. http://order.shopwire.svc:3001 */
  baseUrl: string;
  /**
   * A bearer token of a credential in the service's API_CREDENTIALS: its shops and scopes limit
   * what the client may read or do (403 otherwise). Sent on every request, never logged.
   */
  token: string;
}

function clientFor<Paths extends object>(options: ShopwireClientOptions): Client<Paths> {
  const { token, headers, ...rest } = options;
  return createClient<Paths>({
    ...rest,
    headers: { ...headers, authorization: `Bearer ${token}` },
  });
}

export const createAnalyticsClient = (options: ShopwireClientOptions) =>
  clientFor<AnalyticsPaths>(options);
export const createGatewayClient = (options: ShopwireClientOptions) =>
  clientFor<GatewayPaths>(options);
export const createInventoryClient = (options: ShopwireClientOptions) =>
  clientFor<InventoryPaths>(options);
export const createNotificationClient = (options: ShopwireClientOptions) =>
  clientFor<NotificationPaths>(options);
export const createOrderClient = (options: ShopwireClientOptions) => clientFor<OrderPaths>(options);
export const createShopsClient = (options: ShopwireClientOptions) => clientFor<ShopsPaths>(options);
export const createSyncClient = (options: ShopwireClientOptions) => clientFor<SyncPaths>(options);

export type { AnalyticsPaths, GatewayPaths, InventoryPaths, NotificationPaths, OrderPaths };
export type { ShopsPaths, SyncPaths };
