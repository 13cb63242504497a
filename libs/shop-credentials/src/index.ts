export * from './credentials-metrics';
export * from './errors';
export * from './installation-changes.consumer';
export * from './shop-credentials';
export * from './shops-token-api';
