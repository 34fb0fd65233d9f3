export * from './credentials-amqp.handler';
export * from './credentials-lookup.service';
export * from './credentials-management.controller';
export * from './credentials-management.service';
export * from './credentials.config';
export * from './credentials.module';
export * from './device-deletion.handler';
