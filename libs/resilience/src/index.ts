export * from './backoff';
export * from './breaker';
export * from './retry';
export * from './timeout';
