export * from './api-token.guard';
export * from './access/access.decorators';
export * from './access/api-access.guard';
export * from './access/api-caller';
export * from './access/route-inventory';
export * from './health.controller';
export * from './metrics.controller';
export * from './http-app';
export { REQUEST_ID_HEADER, requestIdOf } from './request-log';
