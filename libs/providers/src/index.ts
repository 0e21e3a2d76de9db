export * from './instance-provider';
export * from './load-provider';
export * from './single-instance-provider';
