export * from './backoff';
export * from './breaker';
export * from './breaker-registry';
export * from './retry';
export * from './timeout';
