export * from './data-source';
export * from './embedded-postgres';
export * from './jsonb-search';
export * from './postgres-credentials.repository';
export * from './postgres-device.repository';
export * from './postgres-error.translator';
export * from './postgres-outbox';
export * from './postgres-tenant.repository';
