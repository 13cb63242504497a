export * from './kafka-probe';
export * from './infra';
