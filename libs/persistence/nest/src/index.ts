export * from './persistence.config';
export * from './persistence.module';
export * from './store';
