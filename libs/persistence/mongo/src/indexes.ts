import type { Db } from 'mongodb';

/** Collection names. */
export const Collections = {
  tenants: 'tenants',
  devices: 'devices',
  credentials: 'credentials',
  credentialKeys: 'credential_keys',
} as const;

/**
 * Indexes every collection needs. Only plain unique and multikey indexes are used (no partial or
 * sparse ones) so that MongoDB-compatible servers such as FerretDB 1.x behave the same: a tenant
 * without alias stores a unique placeholder in `aliasKey` instead of leaving it out.
 */
export async function ensureIndexes(db: Db): Promise<void> {
  const tenants = db.collection(Collections.tenants);
  await tenants.createIndex({ aliasKey: 1 }, { unique: true, name: 'tenant_alias_uq' });
  await tenants.createIndex({ subjectDns: 1 }, { name: 'tenant_subject_dns' });
  // Devices: `_id` is { t: tenant, d: device }, unique per tenant. The tenant-scoped queries and the
  // gateway lookup (distinct `via` of a tenant) use the first index, the re-delivery relay the
  // second (no partial index: FerretDB 1.x), the deleteAllOfTenant recovery the third.
  const devices = db.collection(Collections.devices);
  await devices.createIndex({ tenantId: 1, via: 1 }, { name: 'device_tenant_via' });
  // The members of a gateway group (Registration API: a device's `viaGroups` resolved to gateways).
  await devices.createIndex({ tenantId: 1, memberOf: 1 }, { name: 'device_tenant_member_of' });
  await devices.createIndex(
    { autoProvisioned: 1, notificationSent: 1, createdAt: 1 },
    { name: 'device_unnotified' },
  );
  await devices.createIndex({ intentCount: 1 }, { name: 'device_delete_all_intents' });
  // Credentials: revisions with `_id` [tenant, device, seq], the head found by the first index
  // (whose tenant prefix serves deleteAllOfTenant); claims with a unique scalar `key` (tenant,
  // type, auth-id): no unique index on an array. See MongoCredentialsRepository.
  const credentials = db.collection(Collections.credentials);
  await credentials.createIndex(
    { tenantId: 1, deviceId: 1, seq: -1 },
    { name: 'credentials_device_seq' },
  );
  await credentials.createIndex({ intentAt: 1 }, { name: 'credentials_delete_all_intents' });
  const credentialKeys = db.collection(Collections.credentialKeys);
  await credentialKeys.createIndex({ key: 1 }, { unique: true, name: 'credential_key_uq' });
  await credentialKeys.createIndex({ tenantId: 1, deviceId: 1 }, { name: 'credential_key_device' });
}
