/** Nest tokens shared across the sync service's modules. */
export const SYNC_CONFIG = Symbol('SYNC_CONFIG');
export const SYNC_LOGGER = Symbol('SYNC_LOGGER');
export const SYNC_KAFKA = Symbol('SYNC_KAFKA');
