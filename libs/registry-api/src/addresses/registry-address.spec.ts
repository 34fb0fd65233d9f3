import { TenantIdSchema } from '../common/ids';
import { ClientError, NotFoundError } from '../errors';
import { RegistryAddress, RegistryEndpoint, RegistryReplyAddress } from './registry-address';

const TENANT = TenantIdSchema.parse('DEFAULT_TENANT');

describe(RegistryAddress.name, () => {
  it('formats the three request addresses', () => {
    expect(RegistryAddress.tenant().toString()).toBe('tenant');
    expect(RegistryAddress.registration(TENANT).toString()).toBe('registration/DEFAULT_TENANT');
    expect(RegistryAddress.credentials(TENANT).toString()).toBe('credentials/DEFAULT_TENANT');
  });

  it.each(['tenant', 'registration/DEFAULT_TENANT', 'credentials/my.tenant-1'])(
    'round-trips %s',
    (address) => {
      expect(RegistryAddress.parse(address).toString()).toBe(address);
    },
  );

  it('exposes endpoint and tenant', () => {
    const sut = RegistryAddress.parse('credentials/DEFAULT_TENANT');
    expect(sut.endpoint).toBe(RegistryEndpoint.CREDENTIALS);
    expect(sut.tenantId).toBe('DEFAULT_TENANT');
    expect(RegistryAddress.tenant().tenantId).toBeUndefined();
    expect(sut.equals(RegistryAddress.credentials(TENANT))).toBe(true);
    expect(sut.equals(RegistryAddress.registration(TENANT))).toBe(false);
  });

  it.each(['', 'telemetry/DEFAULT_TENANT', 'registrations/T', 'Tenant'])(
    'rejects %j as an unknown endpoint (404)',
    (address) => {
      expect(() => RegistryAddress.parse(address)).toThrow(NotFoundError);
    },
  );

  it.each([
    'registration',
    'registration/',
    'registration/a b',
    'credentials/T/extra',
    'tenant/DEFAULT_TENANT',
  ])('rejects %j as malformed (400)', (address) => {
    expect(() => RegistryAddress.parse(address)).toThrow(ClientError);
    try {
      RegistryAddress.parse(address);
    } catch (error) {
      expect((error as ClientError).status).toBe(400);
    }
  });

  it('tryParse returns undefined instead of throwing', () => {
    expect(RegistryAddress.tryParse('registration/T')?.tenantId).toBe('T');
    expect(RegistryAddress.tryParse('event/T')).toBeUndefined();
  });
});

describe(RegistryReplyAddress.name, () => {
  it('formats reply addresses below the request address', () => {
    expect(RegistryAddress.tenant().replyTo('r-1').toString()).toBe('tenant/r-1');
    expect(RegistryAddress.registration(TENANT).replyTo('r-1').toString()).toBe(
      'registration/DEFAULT_TENANT/r-1',
    );
  });

  it.each(['tenant/r-1', 'registration/DEFAULT_TENANT/0a1b', 'credentials/T/a/b'])(
    'round-trips %s',
    (address) => {
      expect(RegistryReplyAddress.parse(address).toString()).toBe(address);
    },
  );

  it('exposes request address and reply ID', () => {
    const sut = RegistryReplyAddress.parse('credentials/T/a/b');
    expect(sut.requestAddress.toString()).toBe('credentials/T');
    expect(sut.replyId).toBe('a/b');
    expect(sut.equals(RegistryAddress.parse('credentials/T').replyTo('a/b'))).toBe(true);
  });

  it.each(['tenant', 'tenant/', 'registration/T', 'registration/T/', 'registration/a b/r'])(
    'rejects %j as malformed',
    (address) => {
      expect(() => RegistryReplyAddress.parse(address)).toThrow(ClientError);
    },
  );

  it('rejects unknown endpoints with 404', () => {
    expect(() => RegistryReplyAddress.parse('event/T/r')).toThrow(NotFoundError);
  });

  it('rejects an empty reply ID', () => {
    expect(() => RegistryAddress.tenant().replyTo('')).toThrow(ClientError);
  });
});
