export * from './topics';
export * from './webhook-envelope';
