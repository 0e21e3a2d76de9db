export * from './instance-provider';
export * from './agent-containers';
export * from './load-provider';
export * from './single-instance-provider';
export * from './aws-instance-provider';
