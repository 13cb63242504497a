export * from './kafka-client';
export { requestQueueIdleFixInstalled } from './request-queue-fix';
export * from './batching-producer';
export * from './topic-provisioning';
export * from './consumer-runner';
export * from './failure-classification';
export * from './dead-letter-headers';
export * from './failure-router';
export * from './failure-metrics';
