export * from './bearer';
export * from './viewer-token';
