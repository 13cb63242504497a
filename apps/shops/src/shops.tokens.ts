/** ioredis client for the `shopwire:shops:uninstalled` set. */
export const SHOPS_REDIS = Symbol('SHOPS_REDIS');
/** The process's `ShopifyTokenEndpoint` (configured from SHOPIFY_* variables). */
export const SHOPS_TOKEN_ENDPOINT = Symbol('SHOPS_TOKEN_ENDPOINT');
