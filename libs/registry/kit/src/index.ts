export * from './directories';
export * from './notification-relay';
export * from './outbox-message';
export * from './http-body';
export * from './remote-directories.module';
