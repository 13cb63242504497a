export * from './tombstones';
export * from './env';
export * from './order-data';
export * from './privacy-request.dto';
