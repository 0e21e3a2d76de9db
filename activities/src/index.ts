export * from './session-activities';
export * from './session-activities.contract';
export * from './tokens';
