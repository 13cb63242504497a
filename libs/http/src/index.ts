export * from './api-token.guard';
export * from './health.controller';
export * from './metrics.controller';
export * from './http-app';
