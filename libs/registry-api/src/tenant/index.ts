export * from './identity-template';
export * from './tenant.schema';
