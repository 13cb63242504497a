export * from './tracing';
export * from './span-capture';
export * from './logger';
export * from './metrics';
