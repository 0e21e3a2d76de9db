export * from './domain-error.filter';
export * from './token-refusal';
export * from './tokens';
export * from './listen';
