export * from './persistence.errors';
export * from './search';
export * from './tenant.repository';
