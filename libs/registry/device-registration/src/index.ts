export * from './device-management.controller';
export * from './device-management.service';
export * from './device-registration.module';
export * from './local-device.directory';
