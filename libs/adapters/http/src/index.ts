export * from './http-adapter.server';
export * from './http-request';
