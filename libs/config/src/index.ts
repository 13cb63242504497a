export * from './load-config';
export * from './env';
export { z } from 'zod';
