export * from './slots';
export * from './schedule-schema';
export * from './tick-store';
export * from './scheduler.metrics';
export * from './scheduler';
