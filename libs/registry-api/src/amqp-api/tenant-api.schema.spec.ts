import { TenantIdSchema } from '../common/ids';
import { TenantSchema } from '../tenant/tenant.schema';
import { TenantGetRequestSchema, TenantObjectSchema, toTenantObject } from './tenant-api.schema';

const TENANT = TenantIdSchema.parse('DEFAULT_TENANT');

describe('TenantGetRequestSchema', () => {
  const sut = TenantGetRequestSchema;

  it('accepts a lookup by ID or by subject DN', () => {
    expect(sut.parse({ 'tenant-id': 'ACME' })).toEqual({ 'tenant-id': 'ACME' });
    expect(sut.parse({ 'subject-dn': 'CN=devices,O=ACME Corporation' })).toEqual({
      'subject-dn': 'CN=devices,O=ACME Corporation',
    });
  });

  it('accepts both (tenant-id wins) and ignores other members', () => {
    expect(sut.parse({ 'tenant-id': 'ACME', 'subject-dn': 'CN=x', extra: 1 })).toEqual({
      'tenant-id': 'ACME',
      'subject-dn': 'CN=x',
    });
  });

  it.each([{}, { 'tenant-id': 'ACME Corporation' }, { 'subject-dn': '' }, { tenant_id: 'ACME' }])(
    'rejects %j',
    (body) => {
      expect(sut.safeParse(body).success).toBe(false);
    },
  );
});

describe(toTenantObject.name, () => {
  const tenant = TenantSchema.parse({
    alias: 'acme',
    'trust-anchor-group': 'g',
    'registration-limits': { 'max-devices': 10 },
    adapters: [
      { type: 'hono-mqtt', enabled: true, ext: { 'max-ttd': 30 }, vendor: 'dropped' },
      { type: 'hono-http' },
    ],
    defaults: { ttl: 60 },
    'resource-limits': { 'max-connections': 5 },
    tracing: { 'sampling-mode': 'all' },
    ext: { 'messaging-type': 'amqp' },
    'trusted-ca': [
      {
        id: 'current',
        'subject-dn': 'CN=ca,O=ACME',
        'public-key': 'Tk9UIEEgS0VZ',
        algorithm: 'EC',
        'not-before': '2020-01-01T00:00:00Z',
        'not-after': '2030-01-01T00:00:00Z',
        'auto-provisioning-enabled': true,
        'auto-provision-as-gateway': true,
        'auto-provisioning-device-id-template': 'dev-{{subject-cn}}',
        'auth-id-template': '{{subject-cn}}',
      },
      {
        id: 'expired',
        'subject-dn': 'CN=ca,O=ACME',
        'public-key': 'Tk9UIEEgS0VZ',
        'not-before': '2010-01-01T00:00:00Z',
        'not-after': '2011-01-01T00:00:00Z',
      },
      { id: 'unexpanded', cert: 'Tk9UIEEgQ0VSVA==' },
    ],
  });

  it('builds the adapter-facing object like Hono’s convertTenant', () => {
    const sut = toTenantObject(TENANT, tenant);
    expect(sut).toEqual({
      'tenant-id': 'DEFAULT_TENANT',
      enabled: true,
      'minimum-message-size': 0,
      adapters: [
        {
          type: 'hono-mqtt',
          enabled: true,
          'device-authentication-required': true,
          ext: { 'max-ttd': 30 },
        },
        { type: 'hono-http', enabled: false, 'device-authentication-required': true },
      ],
      defaults: { ttl: 60 },
      'resource-limits': { 'max-connections': 5 },
      tracing: { 'sampling-mode': 'all' },
      ext: { 'messaging-type': 'amqp' },
      'trusted-ca': [
        {
          id: 'current',
          'subject-dn': 'CN=ca,O=ACME',
          'public-key': 'Tk9UIEEgS0VZ',
          algorithm: 'EC',
          'auto-provisioning-enabled': true,
          'auth-id-template': '{{subject-cn}}',
        },
        {
          id: 'expired',
          'subject-dn': 'CN=ca,O=ACME',
          'public-key': 'Tk9UIEEgS0VZ',
          'auto-provisioning-enabled': false,
        },
      ],
    });
    expect(TenantObjectSchema.parse(sut)).toEqual(sut);
  });

  it('drops CAs outside their validity period when asked to', () => {
    const sut = toTenantObject(TENANT, tenant, {
      filterAuthorities: true,
      now: new Date('2026-01-01T00:00:00Z'),
    });
    expect(sut['trusted-ca']?.map((ca) => ca.id)).toEqual(['current']);
  });

  it('applies the defaults of an empty tenant', () => {
    expect(toTenantObject(TENANT, {})).toEqual({
      'tenant-id': 'DEFAULT_TENANT',
      enabled: true,
      'minimum-message-size': 0,
    });
    expect(toTenantObject(TENANT, { enabled: false }).enabled).toBe(false);
  });
});

describe('TenantObjectSchema', () => {
  it('requires tenant-id and enabled but allows extra members', () => {
    expect(TenantObjectSchema.safeParse({ 'tenant-id': 'T', enabled: true, x: 1 }).success).toBe(
      true,
    );
    expect(TenantObjectSchema.safeParse({ 'tenant-id': 'T' }).success).toBe(false);
  });
});
