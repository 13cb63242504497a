export * from './chunk-consumer.transport';
export * from './consume-chunks.decorator';
export * from './consumer-metrics';
