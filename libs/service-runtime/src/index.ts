export * from './service-core.module';
export * from './service-outbox-relay';
export * from './inbox-pruning.provider';
export * from './consumer-transport';
export * from './consumer-service.module';
