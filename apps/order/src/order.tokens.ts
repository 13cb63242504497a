import {
  SERVICE_CONFIG,
  SERVICE_KAFKA,
  SERVICE_LOGGER,
  SERVICE_PRODUCER,
} from '@shopwire/service-runtime';

/** The order service's names for the shared runtime's tokens. */
export const ORDER_CONFIG = SERVICE_CONFIG;
export const ORDER_LOGGER = SERVICE_LOGGER;
export const ORDER_KAFKA = SERVICE_KAFKA;
export const ORDER_PRODUCER = SERVICE_PRODUCER;
