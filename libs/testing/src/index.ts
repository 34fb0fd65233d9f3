export * from './infra';
export * from './processes';
export * from './openapi';
export * from './management-client';
export * from './certificates';
export * from './registry-stack';
export * from './kcat';
export * from './device-clients';
