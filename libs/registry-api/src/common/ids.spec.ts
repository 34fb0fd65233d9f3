import {
  AuthIdSchema,
  CredentialTypeSchema,
  DeviceIdSchema,
  isDeviceId,
  isTenantId,
  PasswordAuthIdSchema,
  TenantAliasSchema,
  TenantIdSchema,
} from './ids';

describe('TenantIdSchema', () => {
  const sut = TenantIdSchema;

  it.each(['DEFAULT_TENANT', 'acme-corp', 'a.b_c-1', 'x'.repeat(256)])('accepts %s', (id) => {
    expect(sut.parse(id)).toBe(id);
  });

  it.each(['', 'a/b', 'a b', 'tenant:1', 'a=b', 'ümlaut', 'x'.repeat(257)])('rejects %j', (id) => {
    expect(sut.safeParse(id).success).toBe(false);
  });

  it('rejects non-strings', () => {
    expect(sut.safeParse(42).success).toBe(false);
  });
});

describe('DeviceIdSchema', () => {
  const sut = DeviceIdSchema;

  it.each(['4711', 'gw-1', 'urn:dev:ow:10e2073a01080063', 'a=b', 'a.b_c'])('accepts %s', (id) => {
    expect(sut.parse(id)).toBe(id);
  });

  it.each(['', 'a/b', 'a b', 'a,b', 'CN=x,O=y', 'x'.repeat(257)])('rejects %j', (id) => {
    expect(sut.safeParse(id).success).toBe(false);
  });
});

describe('PasswordAuthIdSchema', () => {
  const sut = PasswordAuthIdSchema;

  it.each(['sensor1', 'gw', 'a=b.c-d_e'])('accepts %s', (id) => {
    expect(sut.parse(id)).toBe(id);
  });

  it.each(['', 'sensor1@DEFAULT_TENANT', 'a b', 'a:b'])('rejects %j', (id) => {
    expect(sut.safeParse(id).success).toBe(false);
  });
});

describe('AuthIdSchema', () => {
  it('accepts a subject DN', () => {
    expect(AuthIdSchema.parse('CN=Device 4711,OU=Hono,O=Eclipse IoT')).toBe(
      'CN=Device 4711,OU=Hono,O=Eclipse IoT',
    );
  });

  it('rejects an empty auth-id', () => {
    expect(AuthIdSchema.safeParse('').success).toBe(false);
  });
});

describe('CredentialTypeSchema', () => {
  it.each(['hashed-password', 'psk', 'x509-cert', 'rpk', 'my-type2'])('accepts %s', (type) => {
    expect(CredentialTypeSchema.parse(type)).toBe(type);
  });

  it.each(['', 'Hashed', 'a_b', 'x'.repeat(65)])('rejects %j', (type) => {
    expect(CredentialTypeSchema.safeParse(type).success).toBe(false);
  });
});

describe('TenantAliasSchema', () => {
  it('accepts an LDH label', () => {
    expect(TenantAliasSchema.parse('acme-1')).toBe('acme-1');
  });

  it.each(['', 'ACME', 'a.b', 'a_b'])('rejects %j', (alias) => {
    expect(TenantAliasSchema.safeParse(alias).success).toBe(false);
  });
});

describe(isTenantId.name, () => {
  it('tells valid from invalid tenant IDs', () => {
    expect(isTenantId('DEFAULT_TENANT')).toBe(true);
    expect(isTenantId('a/b')).toBe(false);
    expect(isTenantId(undefined)).toBe(false);
  });
});

describe(isDeviceId.name, () => {
  it('tells valid from invalid device IDs', () => {
    expect(isDeviceId('4711')).toBe(true);
    expect(isDeviceId('a b')).toBe(false);
  });
});
