export * from './activity-metrics';
export * from './session-activities';
export * from './session-activities.contract';
