import { authorize, parseGrant, type Principal, tenantsWith } from './management-authz';

const principal = (...grants: string[]): Principal => ({
  name: 'p',
  grants: grants.map((g) => {
    const grant = parseGrant(g);
    if (typeof grant === 'string') throw new Error(grant);
    return grant;
  }),
});

describe(authorize.name, () => {
  it('gives platform admins everything, everywhere', () => {
    const admin = principal('platform-admin');
    expect(authorize(admin, 'CREATE_TENANT')).toBe('allow');
    expect(authorize(admin, 'DELETE_TARGET', 'any')).toBe('allow');
    expect(tenantsWith(admin, 'READ_TENANT')).toBe('all');
  });

  it('hides other tenants and forbids what the role lacks in its own', () => {
    const manager = principal('device-manager@a');
    expect(authorize(manager, 'CREATE_TARGET', 'a')).toBe('allow');
    expect(authorize(manager, 'READ_TARGET_SECURITY_TOKEN', 'a')).toBe('allow');
    expect(authorize(manager, 'READ_TENANT', 'a')).toBe('forbidden');
    expect(authorize(manager, 'CREATE_TARGET', 'b')).toBe('hidden');
    expect(authorize(manager, 'CREATE_TENANT')).toBe('forbidden');
    expect(tenantsWith(manager, 'READ_TENANT')).toEqual([]);
  });

  it('combines grants per tenant', () => {
    const p = principal('tenant-admin@a', 'read-only@b');
    expect(authorize(p, 'UPDATE_TENANT', 'a')).toBe('allow');
    expect(authorize(p, 'UPDATE_TENANT', 'b')).toBe('forbidden');
    expect(authorize(p, 'READ_TARGET', 'b')).toBe('allow');
    expect(authorize(p, 'READ_TARGET_SECURITY_TOKEN', 'b')).toBe('forbidden');
    expect(authorize(p, 'DELETE_TENANT', 'a')).toBe('forbidden');
    expect(tenantsWith(p, 'READ_TENANT')).toEqual(['a', 'b']);
  });

  it('lets a * grant cover every tenant without making it a platform role', () => {
    const auditor = principal('read-only@*');
    expect(authorize(auditor, 'READ_TARGET', 'x')).toBe('allow');
    expect(authorize(auditor, 'UPDATE_TARGET', 'x')).toBe('forbidden');
    expect(authorize(auditor, 'CREATE_TENANT')).toBe('forbidden');
    expect(tenantsWith(auditor, 'READ_TENANT')).toBe('all');
  });

  it('gives the registry service reads and provisioning only', () => {
    const service = principal('registry-service');
    expect(authorize(service, 'PROVISION_TARGET')).toBe('allow');
    expect(authorize(service, 'READ_TENANT', 't')).toBe('allow');
    expect(authorize(service, 'UPDATE_TARGET', 't')).toBe('forbidden');
  });

  it('grants nothing to a caller without grants', () => {
    const nobody = principal();
    expect(authorize(nobody, 'READ_TARGET', 'a')).toBe('hidden');
    expect(authorize(nobody, 'CREATE_TENANT')).toBe('forbidden');
  });
});

describe(parseGrant.name, () => {
  it('explains invalid grants', () => {
    expect(parseGrant('tenant-admin@acme')).toEqual({ role: 'tenant-admin', tenant: 'acme' });
    expect(parseGrant('root')).toMatch(/unknown role/);
    expect(parseGrant('read-only')).toMatch(/needs a tenant/);
    expect(parseGrant('read-only@')).toMatch(/needs a tenant/);
    expect(parseGrant('read-only@a b')).toMatch(/invalid tenant id/);
    expect(parseGrant('registry-service@a')).toMatch(/platform-wide/);
    expect(parseGrant('constructor')).toMatch(/unknown role/);
  });
});
