export * from './in-memory-search';
export * from './search.schema';
