import {
  SERVICE_CONFIG,
  SERVICE_DATA_SOURCE,
  SERVICE_KAFKA,
  SERVICE_LOGGER,
  SERVICE_PRODUCER,
} from '@shopwire/service-runtime';

/** The shops service's names for the shared runtime's tokens. */
export const SHOPS_CONFIG = SERVICE_CONFIG;
export const SHOPS_LOGGER = SERVICE_LOGGER;
export const SHOPS_KAFKA = SERVICE_KAFKA;
export const SHOPS_PRODUCER = SERVICE_PRODUCER;
export const SHOPS_DATA_SOURCE = SERVICE_DATA_SOURCE;
/** ioredis client for the `shopwire:shops:uninstalled` set. */
export const SHOPS_REDIS = Symbol('SHOPS_REDIS');
/** The process's `ShopifyTokenEndpoint` (configured from SHOPIFY_* variables). */
export const SHOPS_TOKEN_ENDPOINT = Symbol('SHOPS_TOKEN_ENDPOINT');
