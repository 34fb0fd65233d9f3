export * from './local-tenant.directory';
export * from './tenant-amqp.handler';
export * from './tenant-management.controller';
export * from './tenant-management.service';
export * from './tenant.module';
export * from './trusted-ca';
