import { readFileSync } from 'node:fs';
import path from 'node:path';

import { z } from 'zod';

import { CredentialsObjectSchema } from './amqp-api/credentials-api.schema';
import { toTenantObject, TenantObjectSchema } from './amqp-api/tenant-api.schema';
import { parseOrThrow } from './common/validation';
import { DeviceIdSchema, TenantIdSchema } from './common/ids';
import {
  CredentialSchema,
  CredentialsSetSchema,
  stripSecrets,
} from './credentials/credentials.schema';
import { DeviceSchema, DeviceWithIdSchema } from './device/device.schema';
import { ClientError } from './errors';
import { TenantSchema, TenantWithIdSchema } from './tenant/tenant.schema';

/*
 * Hono's example data (deploy/src/main/deploy/example-*.json), read from the shared folder at test
 * time (<repo>/../shared/hono), must parse with the wire schemas.
 */
const HONO_DIR = path.join(__dirname, '../../../..', 'shared/hono');

function readExample(file: string): unknown {
  return JSON.parse(readFileSync(path.join(HONO_DIR, file), 'utf8'));
}

// The container formats of the example files (they predate the management API).
const TenantsFileSchema = z.array(z.looseObject({ 'tenant-id': TenantIdSchema }));
const DevicesFileSchema = z.array(
  z.strictObject({
    tenant: TenantIdSchema,
    devices: z.array(
      z.strictObject({
        'device-id': DeviceIdSchema,
        comment: z.string().optional(),
        data: z.record(z.string(), z.unknown()),
      }),
    ),
  }),
);
const CredentialsFileSchema = z.array(
  z.strictObject({
    tenant: TenantIdSchema,
    credentials: z.array(
      z.looseObject({ 'device-id': DeviceIdSchema, type: z.string(), 'auth-id': z.string() }),
    ),
  }),
);

const tenants = TenantsFileSchema.parse(readExample('example-tenants.json'));
const deviceFiles = DevicesFileSchema.parse(readExample('example-device-identities.json'));
const credentialFiles = CredentialsFileSchema.parse(readExample('example-credentials.json'));

const devices = deviceFiles.flatMap((file) =>
  file.devices.map((device) => ({ tenant: file.tenant, ...device })),
);
const credentials = credentialFiles.flatMap((file) =>
  file.credentials.map((credential) => ({ tenant: file.tenant, ...credential })),
);

describe('Hono example tenants', () => {
  it('contains examples', () => {
    expect(tenants.map((tenant) => tenant['tenant-id'])).toEqual(['DEFAULT_TENANT', 'HTTP_TENANT']);
  });

  it.each(tenants.map((entry) => [entry['tenant-id'], entry] as const))(
    '%s parses as Tenant, TenantWithId and TenantObject',
    (tenantId, entry) => {
      const { 'tenant-id': _id, ...body } = entry;
      const tenant = TenantSchema.parse(body);
      expect(tenant).toEqual(body);
      expect(TenantWithIdSchema.parse({ id: tenantId, ...body })).toEqual({
        id: tenantId,
        ...body,
      });
      const tenantObject = toTenantObject(tenantId, tenant);
      expect(TenantObjectSchema.parse(tenantObject)).toEqual(tenantObject);
    },
  );
});

describe('Hono example devices', () => {
  it('contains examples', () => {
    expect(devices.map((device) => device['device-id'])).toEqual(['4711', '4712', 'gw-1']);
  });

  // The file-based registry format allowed documentation-only "comment" members in `data`; the
  // management API (additionalProperties: false) does not, so they are removed first.
  it.each(devices.map((entry) => [`${entry.tenant}/${entry['device-id']}`, entry] as const))(
    '%s parses as Device and DeviceWithId',
    (_name, entry) => {
      const { comment: _comment, ...data } = entry.data;
      const device = DeviceSchema.parse(data);
      expect(DeviceWithIdSchema.parse({ id: entry['device-id'], ...device })).toEqual({
        id: entry['device-id'],
        ...device,
      });
    },
  );

  it('normalises the single-string via of device 4712', () => {
    const entry = devices.find((device) => device['device-id'] === '4712');
    const { comment: _comment, ...data } = entry?.data ?? {};
    expect(DeviceSchema.parse(data).via).toEqual(['gw-1']);
  });

  it('rejects the documentation-only comment member, like Hono’s management API', () => {
    const entry = devices.find((device) => device['device-id'] === '4711');
    expect(DeviceSchema.safeParse(entry?.data).success).toBe(false);
  });
});

describe('Hono example credentials', () => {
  it('contains examples of three types', () => {
    expect(credentials.map((credential) => credential.type)).toEqual([
      'hashed-password',
      'hashed-password',
      'psk',
      'x509-cert',
    ]);
  });

  it.each(
    credentials.map(
      (entry) => [`${entry['device-id']}/${entry.type}/${entry['auth-id']}`, entry] as const,
    ),
  )('%s parses as Credential and as Credentials API reply', (_name, entry) => {
    const { tenant: _tenant, 'device-id': _deviceId, ...credential } = entry;
    expect(CredentialSchema.parse(credential)).toEqual(credential);
    const { tenant: _t, ...reply } = entry;
    expect(CredentialsObjectSchema.parse(reply)).toEqual(reply);
  });

  it('groups into valid credentials sets per device, which strip cleanly', () => {
    const byDevice = new Map<string, unknown[]>();
    for (const { tenant: _tenant, 'device-id': deviceId, ...credential } of credentials) {
      byDevice.set(deviceId, [...(byDevice.get(deviceId) ?? []), credential]);
    }
    expect([...byDevice.keys()]).toEqual(['4711', 'gw-1']);
    for (const set of byDevice.values()) {
      const parsed = CredentialsSetSchema.parse(set);
      const stripped = stripSecrets(parsed);
      expect(JSON.stringify(stripped)).not.toMatch(/pwd-hash|"key"|hash-function/);
    }
  });
});

describe('wire schemas reject what Hono rejects', () => {
  it.each([
    ['tenant with unknown property', TenantSchema, { enabled: true, foo: 'bar' }],
    ['tenant with camelCase member', TenantSchema, { resourceLimits: {} }],
    ['device with unknown property', DeviceSchema, { enabled: true, foo: 'bar' }],
    [
      'credentials with unknown property',
      CredentialsSetSchema,
      [{ type: 'psk', 'auth-id': 'a', secrets: [{ key: 'Tk9U' }], foo: 1 }],
    ],
    ['credentials without type', CredentialsSetSchema, [{ 'auth-id': 'a', secrets: [{}] }]],
    [
      'credentials with illegal type',
      CredentialsSetSchema,
      [{ type: 'my type', 'auth-id': 'a', secrets: [{}] }],
    ],
    [
      'credentials with illegal auth-id',
      CredentialsSetSchema,
      [{ type: 'hashed-password', 'auth-id': 'a b', secrets: [{ 'pwd-plain': 'x' }] }],
    ],
    ['tenant ID', TenantIdSchema, 'tenant/1'],
    ['device ID', DeviceIdSchema, 'device 1'],
    [
      'malformed trust config',
      TenantSchema,
      { 'trusted-ca': [{ 'subject-dn': 'CN=x', 'public-key': 'NOT_BASE64!' }] },
    ],
  ])('rejects %s with a 400 naming the problem', (_name, schema, value) => {
    let thrown: unknown;
    try {
      parseOrThrow(schema as z.ZodType, value, 'TEST.MALFORMED');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ClientError);
    expect((thrown as ClientError).status).toBe(400);
    expect((thrown as ClientError).message).not.toBe('');
  });

  it('names the offending member of a credentials entry', () => {
    expect(() =>
      parseOrThrow(
        CredentialsSetSchema,
        [{ type: 'psk', 'auth-id': 'a', secrets: [{ key: 'Tk9U', pwd: 'x' }] }],
        'CREDENTIALS.MALFORMED',
      ),
    ).toThrow(/pwd/);
  });
});
