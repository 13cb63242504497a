/** Nest tokens shared across the notification service's modules. */
export const NOTIFICATION_CONFIG = Symbol('NOTIFICATION_CONFIG');
export const NOTIFICATION_LOGGER = Symbol('NOTIFICATION_LOGGER');
export const NOTIFICATION_KAFKA = Symbol('NOTIFICATION_KAFKA');
