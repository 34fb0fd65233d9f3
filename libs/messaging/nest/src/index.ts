export * from './messaging.config';
export * from './messaging.module';
