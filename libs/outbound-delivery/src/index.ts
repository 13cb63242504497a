export * from './delivery-metrics';
export * from './leased-claim';
export * from './outbound-delivery-worker';
export * from './retry-policy';
