export * from './common.schema';
export * from './ids';
export * from './messaging-type';
export * from './qos';
export * from './resource-version';
export * from './validation';
