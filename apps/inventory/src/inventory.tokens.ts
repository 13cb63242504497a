/** Nest tokens shared across the inventory service's modules. */
export const INVENTORY_CONFIG = Symbol('INVENTORY_CONFIG');
export const INVENTORY_LOGGER = Symbol('INVENTORY_LOGGER');
export const INVENTORY_KAFKA = Symbol('INVENTORY_KAFKA');
