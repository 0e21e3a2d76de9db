export * from './capacity.workflow';
export * from './session.workflow';
