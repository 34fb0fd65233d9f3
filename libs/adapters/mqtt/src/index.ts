export * from './mqtt-adapter.server';
export * from './mqtt-connection';
export * from './topic-mapping';
