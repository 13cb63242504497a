export * from './deliveries.module';
export * from './deliveries.repository';
export * from './deliveries.tokens';
export * from './delivery-cursor';
export * from './dto/delivery-query';
export * from './dto/delivery.dto';
