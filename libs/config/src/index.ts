export * from './config-error';
export * from './jit-config';
export * from './jit-inputs';
