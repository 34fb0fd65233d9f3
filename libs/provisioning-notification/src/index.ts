export * from './provisioning-notification.service';
export * from './provisioning-notification-amqp.handler';
export * from './provisioning-notification.module';
