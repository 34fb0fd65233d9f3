export * from './adapter.config';
export * from './adapter.errors';
export * from './adapter-runtime';
export * from './device-authenticator';
export * from './downstream';
export * from './message-uploader';
export * from './password';
export * from './verified-credentials.cache';
