export * from './indexes';
export * from './mongo.connection';
export * from './mongo-credentials.repository';
export * from './mongo-device.repository';
export * from './mongo-error.translator';
export * from './mongo-outbox';
export * from './mongo-search';
export * from './mongo-tenant.repository';
