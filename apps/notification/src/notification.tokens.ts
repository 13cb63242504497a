import {
  SERVICE_CONFIG,
  SERVICE_KAFKA,
  SERVICE_LOGGER,
  SERVICE_PRODUCER,
} from '@shopwire/service-runtime';

/** The notification service's names for the shared runtime's tokens. */
export const NOTIFICATION_CONFIG = SERVICE_CONFIG;
export const NOTIFICATION_LOGGER = SERVICE_LOGGER;
export const NOTIFICATION_KAFKA = SERVICE_KAFKA;
export const NOTIFICATION_PRODUCER = SERVICE_PRODUCER;
