export * from './describe-tenant-repository.contract';
