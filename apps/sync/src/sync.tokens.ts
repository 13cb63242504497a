import {
  SERVICE_CONFIG,
  SERVICE_KAFKA,
  SERVICE_LOGGER,
  SERVICE_PRODUCER,
} from '@shopwire/service-runtime';

/** The sync service's names for the shared runtime's tokens. */
export const SYNC_CONFIG = SERVICE_CONFIG;
export const SYNC_LOGGER = SERVICE_LOGGER;
export const SYNC_KAFKA = SERVICE_KAFKA;
export const SYNC_PRODUCER = SERVICE_PRODUCER;
