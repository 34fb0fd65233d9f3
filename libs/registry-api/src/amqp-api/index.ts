export * from './cache-directive';
export * from './credentials-api.schema';
export * from './registration-api.schema';
export * from './request-response.constants';
export * from './tenant-api.schema';
