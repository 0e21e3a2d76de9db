export * from './session.workflow';
