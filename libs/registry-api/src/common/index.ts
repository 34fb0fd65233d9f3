export * from './common.schema';
export * from './distinguished-name';
export * from './ids';
export * from './json-limits';
export * from './messaging-type';
export * from './qos';
export * from './resource-version';
export * from './validation';
