export * from './namespaces';
export * from './keys';
export * from './single-flight';
export * from './cache-metrics';
export * from './cache-store';
export * from './cache-aside';
export * from './webhook-purge';
export * from './purge-consumer';
