export * from './directories';
export * from './notification-relay';
export * from './registry-notification.consumer';
export * from './outbox-message';
export * from './http-body';
export * from './remote-directories.module';
export {
  type CertificateSubject,
  formatDistinguishedName,
  issuerOf,
  normalizeDistinguishedName,
  subjectOf,
} from '@tessera/registry-api';
export * from './http-query';
export * from './management-auth.config';
export * from './management-auth.guard';
export * from './management-authz';
export * from './amqp-reply';
export * from './registry-amqp.config';
export * from './provisioning-notification.client';
export * from './provisioning-notification-client.module';
export * from './traced-handler';
export * from './provisioning-metrics';
