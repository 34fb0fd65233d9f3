export * from './describe-credentials-repository.contract';
export * from './describe-device-repository.contract';
export * from './describe-tenant-repository.contract';
