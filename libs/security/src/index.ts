export * from './bearer';
export * from './viewer-token';
export * from './token-refusal';
