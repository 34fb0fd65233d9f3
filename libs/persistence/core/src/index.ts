export * from './credentials.repository';
export * from './device.repository';
export * from './outbox';
export * from './persistence.errors';
export * from './search';
export * from './tenant.repository';
