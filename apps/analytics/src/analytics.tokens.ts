import {
  SERVICE_CONFIG,
  SERVICE_KAFKA,
  SERVICE_LOGGER,
  SERVICE_PRODUCER,
} from '@shopwire/service-runtime';

/** The analytics service's names for the shared runtime's tokens. */
export const ANALYTICS_CONFIG = SERVICE_CONFIG;
export const ANALYTICS_LOGGER = SERVICE_LOGGER;
export const ANALYTICS_KAFKA = SERVICE_KAFKA;
export const ANALYTICS_PRODUCER = SERVICE_PRODUCER;
