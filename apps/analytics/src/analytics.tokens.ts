/** Nest tokens shared across the analytics service's modules. */
export const ANALYTICS_CONFIG = Symbol('ANALYTICS_CONFIG');
export const ANALYTICS_LOGGER = Symbol('ANALYTICS_LOGGER');
export const ANALYTICS_KAFKA = Symbol('ANALYTICS_KAFKA');
