export * from './device-provisioning-notification.schema';
export * from './registry-notification.schema';
