import { issuePaths } from '../testing/issue-paths';
import {
  PeriodSchema,
  SearchTenantsResultSchema,
  TenantSchema,
  TenantWithIdSchema,
  TrustedCaSchema,
} from './tenant.schema';

const publicKeyCa = {
  'subject-dn': 'CN=devices,OU=iot,O=ACME',
  'public-key': 'Tk9UIEEgUFVCTElDIEtFWQ==',
  algorithm: 'EC',
  'auto-provisioning-enabled': true,
  'auto-provision-as-gateway': false,
  'auto-provisioning-device-id-template': 'device-{{subject-dn}}',
  'not-before': '2019-10-03T13:45:16+02:00',
  'not-after': '2021-10-03T00:00:00Z',
};

describe('TenantSchema', () => {
  const sut = TenantSchema;

  it('accepts an empty tenant (all defaults)', () => {
    expect(sut.parse({})).toEqual({});
  });

  it('accepts a fully configured tenant unchanged', () => {
    const tenant = {
      enabled: true,
      alias: 'acme',
      ext: { 'messaging-type': 'amqp', 'invalidate-cache-on-update': true, custom: { a: 1 } },
      adapters: [
        { type: 'hono-mqtt', enabled: true, 'device-authentication-required': false },
        { type: 'hono-http', enabled: true, ext: { 'max-ttd': 30 }, vendor: 'x' },
      ],
      defaults: { 'content-type': 'application/json', ttl: 60 },
      'minimum-message-size': 4096,
      'registration-limits': { 'max-devices': 100, 'max-credentials-per-device': -1 },
      'resource-limits': {
        'max-connections': 1000,
        'max-ttl': 3600,
        'max-ttl-telemetry-qos0': 60,
        'max-ttl-telemetry-qos1': 120,
        'max-ttl-command-response': 30,
        'data-volume': {
          'effective-since': '2019-12-01T00:00:00Z',
          'max-bytes': 10000000,
          period: { mode: 'monthly' },
        },
        'connection-duration': {
          'effective-since': '2019-12-01T00:00:00Z',
          'max-minutes': 600,
          period: { mode: 'days', 'no-of-days': 30 },
        },
        ext: { plan: 'gold' },
      },
      tracing: { 'sampling-mode': 'default', 'sampling-mode-per-auth-id': { sensor1: 'all' } },
      'trust-anchor-group': 'group-1',
      'trusted-ca': [
        { id: 'CA_2021', ...publicKeyCa, 'auth-id-template': '{{subject-cn}}' },
        { cert: 'Tk9UIEEgQ0VSVA==', 'ocsp-revocation-enabled': true, 'ocsp-nonce-enabled': true },
      ],
    };
    expect(sut.parse(tenant)).toEqual(tenant);
  });

  it.each([
    ['unknown member', { foo: 1 }, 'foo'],
    ['invalid alias', { alias: 'ACME' }, 'alias'],
    ['negative minimum message size', { 'minimum-message-size': -1 }, 'minimum-message-size'],
    ['empty adapters', { adapters: [] }, 'adapters'],
    ['adapter without type', { adapters: [{ enabled: true }] }, 'adapters/0/type'],
    [
      'duplicate adapter type',
      { adapters: [{ type: 'hono-mqtt' }, { type: 'hono-mqtt' }] },
      'adapters/1/type',
    ],
    ['limit below -1', { 'resource-limits': { 'max-ttl': -2 } }, 'resource-limits/max-ttl'],
    ['unknown resource limit', { 'resource-limits': { 'max-foo': 1 } }, 'resource-limits/max-foo'],
    [
      'old registration limit name',
      { 'registration-limits': { 'max-number-of-devices': 1 } },
      'registration-limits/max-number-of-devices',
    ],
    ['unknown sampling mode', { tracing: { 'sampling-mode': 'some' } }, 'tracing/sampling-mode'],
    ['unsupported messaging type', { ext: { 'messaging-type': 'pubsub' } }, 'ext/messaging-type'],
    [
      'data volume without effective-since',
      { 'resource-limits': { 'data-volume': { 'max-bytes': 1 } } },
      'resource-limits/data-volume/effective-since',
    ],
    [
      'duplicate trust anchor IDs',
      {
        'trusted-ca': [
          { id: 'a', ...publicKeyCa },
          { id: 'a', ...publicKeyCa },
        ],
      },
      'trusted-ca/1/id',
    ],
    ['string instead of boolean', { enabled: 'yes' }, 'enabled'],
  ])('rejects %s', (_name, tenant, path) => {
    const result = sut.safeParse(tenant);
    expect(result.success).toBe(false);
    expect(issuePaths(result)).toContain(path);
  });
});

describe('TrustedCaSchema', () => {
  const sut = TrustedCaSchema;

  it('accepts a CA given by public key and by certificate', () => {
    expect(sut.safeParse(publicKeyCa).success).toBe(true);
    expect(sut.safeParse({ cert: 'Tk9UIEEgQ0VSVA==' }).success).toBe(true);
  });

  it('needs either cert or public-key', () => {
    expect(issuePaths(sut.safeParse({ 'subject-dn': 'CN=x' }))).toContain('public-key');
  });

  it.each(['subject-dn', 'not-before', 'not-after'] as const)(
    'needs %s with public-key',
    (field) => {
      const { [field]: _omitted, ...ca } = publicKeyCa;
      expect(issuePaths(sut.safeParse(ca))).toContain(field);
    },
  );

  it('rejects a validity period that ends before it starts', () => {
    const ca = { ...publicKeyCa, 'not-before': '2022-01-01T00:00:00Z' };
    expect(issuePaths(sut.safeParse(ca))).toContain('not-before');
  });

  it('rejects a public key that is not Base64', () => {
    expect(issuePaths(sut.safeParse({ ...publicKeyCa, 'public-key': 'not base64' }))).toContain(
      'public-key',
    );
  });

  it('needs cert or ocsp-responder-cert for OCSP', () => {
    const ca = { ...publicKeyCa, 'ocsp-revocation-enabled': true };
    expect(issuePaths(sut.safeParse(ca))).toContain('ocsp-responder-cert');
    expect(sut.safeParse({ ...ca, 'ocsp-responder-cert': 'Tk9UIEEgQ0VSVA==' }).success).toBe(true);
  });

  it.each(['auto-provisioning-device-id-template', 'auth-id-template'] as const)(
    'validates the placeholders of %s',
    (field) => {
      expect(sut.safeParse({ ...publicKeyCa, [field]: 'dev-{{subject-cn}}' }).success).toBe(true);
      expect(issuePaths(sut.safeParse({ ...publicKeyCa, [field]: 'dev-{{serial}}' }))).toContain(
        field,
      );
      expect(issuePaths(sut.safeParse({ ...publicKeyCa, [field]: 'dev-1' }))).toContain(field);
    },
  );

  it('rejects unknown members', () => {
    expect(sut.safeParse({ ...publicKeyCa, public_key: 'x' }).success).toBe(false);
  });
});

describe('PeriodSchema', () => {
  it('needs no-of-days ≥ 1 for mode days', () => {
    expect(PeriodSchema.safeParse({ mode: 'days' }).success).toBe(false);
    expect(PeriodSchema.safeParse({ mode: 'days', 'no-of-days': 0 }).success).toBe(false);
    expect(PeriodSchema.safeParse({ mode: 'days', 'no-of-days': 7 }).success).toBe(true);
    expect(PeriodSchema.safeParse({ mode: 'weekly' }).success).toBe(false);
  });
});

describe('TenantWithIdSchema', () => {
  it('requires a valid id next to the tenant members', () => {
    expect(TenantWithIdSchema.parse({ id: 'DEFAULT_TENANT', enabled: false })).toEqual({
      id: 'DEFAULT_TENANT',
      enabled: false,
    });
    expect(TenantWithIdSchema.safeParse({ enabled: false }).success).toBe(false);
    expect(TenantWithIdSchema.safeParse({ id: 'a/b' }).success).toBe(false);
  });
});

describe('SearchTenantsResultSchema', () => {
  it('accepts the { total, result } envelope', () => {
    const page = { total: 3, result: [{ id: 't1' }, { id: 't2', enabled: false }] };
    expect(SearchTenantsResultSchema.parse(page)).toEqual(page);
  });

  it('rejects a negative total and unknown members', () => {
    expect(SearchTenantsResultSchema.safeParse({ total: -1, result: [] }).success).toBe(false);
    expect(SearchTenantsResultSchema.safeParse({ total: 0, result: [], more: 1 }).success).toBe(
      false,
    );
  });
});
