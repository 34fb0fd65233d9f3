export * from './device.schema';
