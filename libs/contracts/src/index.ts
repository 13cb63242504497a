export * from './topics';
export * from './retention';
export * from './webhook-envelope';
export * from './domain-events';
export * from './shop-installations';
export * from './consumers';
export * from './jobs';
export * from './webhook-subscriptions';
