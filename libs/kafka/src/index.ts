export * from './kafka-client';
export * from './batching-producer';
export * from './topic-provisioning';
export * from './consumer-runner';
