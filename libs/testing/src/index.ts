export * from './kafka-probe';
export * from './infra';
export * from './pipeline-services';
export * from './sim-process';
export * from './service-harness';
export * from './service-process';
export * from './browser';
export * from './api-access-suite';
