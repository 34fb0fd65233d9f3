export * from './health';
export * from './http-app';
export * from './http-error.filter';
export * from './metrics.controller';
export * from './run-service';
export * from './json-logger';
export * from './http-metrics';
export * from './listener-lifecycle';
