import { Tenant1763800000000 } from './1763800000000-tenant';
import { Outbox1763800000001 } from './1763800000001-outbox';
import { Device1763800000002 } from './1763800000002-device';
import { Credentials1763800000003 } from './1763800000003-credentials';
import { DeviceGroups1763800000004 } from './1763800000004-device-groups';
import { TenantTopicName1763800000005 } from './1763800000005-tenant-topic-name';
import { CredentialsDeviceCreated1763800000006 } from './1763800000006-credentials-device-created';

/** Every migration, oldest first. TypeORM records the applied ones in `migrations`. */
export const migrations = [
  Tenant1763800000000,
  Outbox1763800000001,
  Device1763800000002,
  Credentials1763800000003,
  DeviceGroups1763800000004,
  TenantTopicName1763800000005,
  CredentialsDeviceCreated1763800000006,
];
