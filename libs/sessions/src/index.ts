export * from './session-request';
