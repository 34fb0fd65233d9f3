export * from './device-provisioning-notification.schema';
export * from './registry-notification.schema';
export * from './provisioning-delivery.schema';
