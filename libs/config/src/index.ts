export * from './config-error';
export * from './jit-config';
export * from './jit-inputs';
export * from './orchestrator-config';
export * from './settings';
export * from './agent-config';
export * from './turn-config';
export * from './aws-config';
