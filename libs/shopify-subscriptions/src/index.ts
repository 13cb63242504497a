export * from './app-toml';
export * from './subscription-graphql';
export * from './subscription-metrics';
export * from './subscription-plan';
export * from './subscription-reconciler';
export * from './subscriptions-cli';
