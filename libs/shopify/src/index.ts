export * from './webhook-hmac';
export * from './webhook-headers';
export * from './shopify-json';
export * from './json-field';
