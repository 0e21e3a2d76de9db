export * from './domain-error.filter';
export * from './token-refusal';
