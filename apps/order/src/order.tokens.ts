/** Nest tokens shared across the order service's modules. */
export const ORDER_CONFIG = Symbol('ORDER_CONFIG');
export const ORDER_LOGGER = Symbol('ORDER_LOGGER');
export const ORDER_KAFKA = Symbol('ORDER_KAFKA');
/** Acked producer for parking failed messages (retry topic, dead letters) and replays. */
export const ORDER_PRODUCER = Symbol('ORDER_PRODUCER');
