export * from './credentials.schema';
