export * from './data-source';
export * from './pool-settings';
export * from './transaction';
export * from './inbox';
export * from './chunk';
export * from './outbox';
export * from './outbox-relay';
export * from './outbox-publisher';
