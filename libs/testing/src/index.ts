export * from './kafka-probe';
export * from './infra';
export * from './pipeline-services';
export * from './sim-process';
export * from './service-harness';
