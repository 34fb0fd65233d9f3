export * from './messaging.config';
export * from './messaging.module';
export * from './amqp-endpoint.module';
export * from './adapter-transports';
export * from './provisioning-notification-transports';
