export * from './dead-letter';
export * from './dead-letter-store';
export * from './dead-letter.metrics';
export * from './dlq-reader';
export * from './dead-letters.module';
export * from './dead-letters.service';
export * from './dead-letters.controller';
export * from './dlq-cli';
