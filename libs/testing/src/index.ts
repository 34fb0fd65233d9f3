export * from './infra';
export * from './processes';
export * from './openapi';
export * from './management-client';
