export * from './agent-secret';
export * from './bearer';
export * from './viewer-token';
