export * from './load-config';
export * from './env';
export * from './kafka-connection';
export { z } from 'zod';
export * from './api-credentials';
export * from './production-guard';
export * from './service-config.module';
