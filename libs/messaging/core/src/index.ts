export * from './in-process-broker';
export * from './message';
export * from './messaging.error';
export * from './ports';
export * from './retry';
