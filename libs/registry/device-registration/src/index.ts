export * from './device-management.controller';
export * from './device-management.service';
export * from './device-registration.module';
export * from './local-device.directory';
export * from './registration-amqp.handler';
export * from './registration-assertion.service';
export * from './tenant-deletion.handler';
