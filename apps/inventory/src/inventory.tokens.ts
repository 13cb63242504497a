import {
  SERVICE_CONFIG,
  SERVICE_KAFKA,
  SERVICE_LOGGER,
  SERVICE_PRODUCER,
} from '@shopwire/service-runtime';

/** The inventory service's names for the shared runtime's tokens. */
export const INVENTORY_CONFIG = SERVICE_CONFIG;
export const INVENTORY_LOGGER = SERVICE_LOGGER;
export const INVENTORY_KAFKA = SERVICE_KAFKA;
export const INVENTORY_PRODUCER = SERVICE_PRODUCER;
