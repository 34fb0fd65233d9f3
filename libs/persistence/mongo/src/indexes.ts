import type { Db } from 'mongodb';

/** Collection names. */
export const Collections = { tenants: 'tenants' } as const;

/**
 * Indexes every collection needs. Only plain unique and multikey indexes are used (no partial or
 * sparse ones) so that MongoDB-compatible servers such as FerretDB 1.x behave the same: a tenant
 * without alias stores a unique placeholder in `aliasKey` instead of leaving it out.
 */
export async function ensureIndexes(db: Db): Promise<void> {
  const tenants = db.collection(Collections.tenants);
  await tenants.createIndex({ aliasKey: 1 }, { unique: true, name: 'tenant_alias_uq' });
  await tenants.createIndex({ subjectDns: 1 }, { name: 'tenant_subject_dns' });
}
