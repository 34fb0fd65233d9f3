export * from './service-invocation.error';
export * from './status-code.mapper';
