/*
 * Cache keys and invalidation tags of the registry clients. Keys and tags are JSON arrays, so no
 * ID (device IDs may contain `:` and `=`) can make two different tuples collide.
 */

/** Tag of every entry that belongs to a tenant. */
export function tenantTag(tenantId: string): string {
  return JSON.stringify(['tenant', tenantId]);
}

/** Tag of every entry that concerns a device (as the device itself, its gateway or a `via` member). */
export function deviceTag(tenantId: string, deviceId: string): string {
  return JSON.stringify(['device', tenantId, deviceId]);
}

/** Key of a Tenant `get` by ID. */
export function tenantByIdKey(tenantId: string): string {
  return JSON.stringify(['tenant-id', tenantId]);
}

/** Key of a Tenant `get` by trusted CA subject DN. */
export function tenantBySubjectDnKey(subjectDn: string): string {
  return JSON.stringify(['subject-dn', subjectDn]);
}

/** Key of a Registration `assert`. */
export function registrationKey(
  tenantId: string,
  deviceId: string,
  gatewayId: string | undefined,
): string {
  return JSON.stringify([tenantId, deviceId, gatewayId ?? null]);
}

/** Key of a Credentials `get`; the client context is part of it, in a canonical form. */
export function credentialsKey(
  tenantId: string,
  type: string,
  authId: string,
  clientContext: Readonly<Record<string, unknown>>,
): string {
  // Adapters look up passwords with no context: skip canonicalising an empty one.
  for (const _ in clientContext) {
    return JSON.stringify([tenantId, type, authId, canonical(clientContext)]);
  }
  return JSON.stringify([tenantId, type, authId, {}]);
}

/**
 * A copy of a JSON value whose object members are sorted by name, so that equal contexts give
 * equal keys whatever their member order. Members JSON would drop (undefined, functions) are
 * dropped; `toJSON` (e.g. of a Date) is honoured.
 */
export function canonical(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if ('toJSON' in value && typeof value.toJSON === 'function') {
    return canonical((value as { toJSON(): unknown }).toJSON());
  }
  if (Array.isArray(value)) return value.map(canonical);
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, member]) => member !== undefined && typeof member !== 'function')
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, member]) => [name, canonical(member)]),
  );
}
