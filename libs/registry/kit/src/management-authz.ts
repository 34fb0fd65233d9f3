/**
 * Who may do what through the management API: hawkBit-style permissions, bundled into a few roles
 * that are granted per tenant (`device-manager@acme`) or platform-wide (`platform-admin`).
 */

/** What a management API call does. Hono's devices and their credentials are hawkBit's targets. */
export const PERMISSIONS = [
  'CREATE_TENANT',
  'READ_TENANT',
  'UPDATE_TENANT',
  'DELETE_TENANT',
  /**
   * Changing a tenant's quotas (`registration-limits`, `resource-limits`) and its
   * `trust-anchor-group` (sharing CA subject DNs with other tenants): the operator's decisions.
   */
  'UPDATE_TENANT_PLATFORM_FIELDS',
  'CREATE_TARGET',
  'READ_TARGET',
  'UPDATE_TARGET',
  'DELETE_TARGET',
  /** Reading a device's credentials (their metadata: secrets are never returned). */
  'READ_TARGET_SECURITY_TOKEN',
  /** The registry services' internal auto-provisioning route. */
  'PROVISION_TARGET',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const TARGETS: readonly Permission[] = [
  'CREATE_TARGET',
  'READ_TARGET',
  'UPDATE_TARGET',
  'DELETE_TARGET',
  'READ_TARGET_SECURITY_TOKEN',
];

/**
 * The roles. A platform role is granted without a tenant; a tenant role names its tenant, or `*`
 * for every tenant (an auditor's `read-only@*`), so a forgotten tenant never grants everything.
 */
export const ROLES = {
  'platform-admin': { scope: 'platform', permissions: PERMISSIONS },
  /** What the registry services need from each other: tenant and device reads, provisioning. */
  'registry-service': {
    scope: 'platform',
    permissions: ['READ_TENANT', 'READ_TARGET', 'PROVISION_TARGET'],
  },
  'tenant-admin': { scope: 'tenant', permissions: ['READ_TENANT', 'UPDATE_TENANT', ...TARGETS] },
  'device-manager': { scope: 'tenant', permissions: TARGETS },
  'read-only': { scope: 'tenant', permissions: ['READ_TENANT', 'READ_TARGET'] },
} as const satisfies Record<
  string,
  { scope: 'platform' | 'tenant'; permissions: readonly Permission[] }
>;
export type Role = keyof typeof ROLES;

/** One role held by a user: platform-wide, or for one tenant (`*`: every tenant). */
export interface Grant {
  readonly role: Role;
  readonly tenant?: string;
}

/** An authenticated caller of the management API. */
export interface Principal {
  readonly name: string;
  readonly grants: readonly Grant[];
}

/** The caller of an unauthenticated (embedded, loopback-only) management API. */
export const LOCAL_ADMIN: Principal = { name: 'local', grants: [{ role: 'platform-admin' }] };

function isRole(name: string): name is Role {
  return Object.hasOwn(ROLES, name);
}

/**
 * Parses one grant: `platform-admin`, `registry-service`, or `<tenant role>@<tenant id | *>`.
 * @returns the grant, or a reason it is invalid (safe to show: grants are not secret).
 */
export function parseGrant(text: string): Grant | string {
  const trimmed = text.trim();
  const at = trimmed.indexOf('@');
  const role = at < 0 ? trimmed : trimmed.slice(0, at);
  const tenant = at < 0 ? undefined : trimmed.slice(at + 1);
  if (!isRole(role)) return `unknown role "${role}" (one of ${Object.keys(ROLES).join(', ')})`;
  if (ROLES[role].scope === 'platform') {
    return tenant === undefined ? { role } : `${role} is platform-wide: it takes no @tenant`;
  }
  if (tenant === undefined || tenant === '') {
    return `${role} needs a tenant: ${role}@<tenant id> or ${role}@*`;
  }
  if (tenant !== '*' && !/^[a-zA-Z0-9_.-]+$/.test(tenant)) return `invalid tenant id in "${text}"`;
  return { role, tenant };
}

/** The outcome of a check: allowed, 403, or 404 (the caller may not learn the tenant exists). */
export type Decision = 'allow' | 'forbidden' | 'hidden';

function holds(grant: Grant, permission: Permission): boolean {
  return (ROLES[grant.role].permissions as readonly Permission[]).includes(permission);
}

function covers(grant: Grant, tenantId: string): boolean {
  return grant.tenant === undefined || grant.tenant === '*' || grant.tenant === tenantId;
}

/**
 * Decides a call. With a tenant, a caller holding no role for it gets `hidden` whatever the
 * permission, so another tenant's resources answer exactly like missing ones; a caller with a role
 * for the tenant but not the permission gets `forbidden`. Without a tenant (creating tenants,
 * internal routes) only platform-wide grants count, and a caller without one gets `forbidden`.
 */
export function authorize(
  principal: Principal,
  permission: Permission,
  tenantId?: string,
): Decision {
  if (tenantId === undefined) {
    const wide = principal.grants.filter((g) => g.tenant === undefined || g.tenant === '*');
    return wide.some((g) => holds(g, permission)) ? 'allow' : 'forbidden';
  }
  const relevant = principal.grants.filter((g) => covers(g, tenantId));
  if (relevant.length === 0) return 'hidden';
  return relevant.some((g) => holds(g, permission)) ? 'allow' : 'forbidden';
}

/** The tenants on which the caller holds `permission`: `all`, or the listed ids (maybe none). */
export function tenantsWith(principal: Principal, permission: Permission): 'all' | string[] {
  const granting = principal.grants.filter((g) => holds(g, permission));
  if (granting.some((g) => g.tenant === undefined || g.tenant === '*')) return 'all';
  return [...new Set(granting.map((g) => g.tenant).filter((t) => t !== undefined))];
}
