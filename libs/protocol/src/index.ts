export * from './control-messages';
export * from './jit-status';
export * from './agent-status';
export * from './stream-request';
export * from './session-answer';
export * from './timecode';
