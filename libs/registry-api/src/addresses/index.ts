export * from './downstream-address';
export * from './notification-topic';
export * from './registry-address';
