export * from './embedded-temporal';
export * from './runtime.module';
export * from './temporal-logger';
export * from './temporal.module';
