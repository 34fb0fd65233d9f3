import { issuePaths } from '../testing/issue-paths';
import {
  DeviceResponseSchema,
  DeviceSchema,
  DeviceWithIdSchema,
  SearchDevicesResultSchema,
} from './device.schema';

describe('DeviceSchema', () => {
  const sut = DeviceSchema;

  it('accepts an empty device (all defaults)', () => {
    expect(sut.parse({})).toEqual({});
  });

  it('accepts a fully configured device unchanged', () => {
    const device = {
      enabled: true,
      defaults: { ttl: 300, 'content-type': 'application/vnd.acme+json' },
      via: ['gw-1', 'gw-4'],
      viaGroups: ['group-a'],
      authorities: ['auto-provisioning-enabled'],
      'downstream-message-mapper': 'mapper-a',
      'upstream-message-mapper': 'mapper-b',
      ext: { manufacturer: 'ACME', 'model-no': 'TEMP-SEN' },
      'command-endpoint': {
        uri: 'https://devices.acme.io/{{deviceId}}/commands',
        headers: { authorization: 'Bearer x' },
        'payload-properties': { a: 1 },
      },
    };
    expect(sut.parse(device)).toEqual(device);
  });

  it('accepts a single gateway ID as via, like Hono', () => {
    expect(sut.parse({ via: 'gw-1' })).toEqual({ via: ['gw-1'] });
  });

  it('ignores a read-only status on input', () => {
    const parsed = sut.parse({ enabled: false, status: { 'auto-provisioned': true, bogus: 1 } });
    expect(parsed).toEqual({ enabled: false });
  });

  it('converts non-string command endpoint headers to strings', () => {
    const parsed = sut.parse({ 'command-endpoint': { uri: 'coap://x', headers: { n: 1 } } });
    expect(parsed['command-endpoint']?.headers).toEqual({ n: '1' });
  });

  it.each([
    ['unknown member', { foo: true }, 'foo'],
    ['camel-case status flags', { autoProvisioned: true }, 'autoProvisioned'],
    ['kebab-case group member', { 'via-groups': ['g'] }, 'via-groups'],
    ['invalid gateway ID', { via: ['gw 1'] }, 'via/0'],
    ['memberOf with via', { via: ['gw-1'], memberOf: ['g'] }, 'memberOf'],
    ['memberOf with viaGroups', { viaGroups: ['g'], memberOf: ['h'] }, 'memberOf'],
    ['command endpoint without uri', { 'command-endpoint': {} }, 'command-endpoint/uri'],
    [
      'unknown command endpoint member',
      { 'command-endpoint': { uri: 'x', method: 'POST' } },
      'command-endpoint/method',
    ],
    ['non-boolean enabled', { enabled: 'true' }, 'enabled'],
  ])('rejects %s', (_name, device, path) => {
    const result = sut.safeParse(device);
    expect(result.success).toBe(false);
    expect(issuePaths(result)).toContain(path);
  });

  it('allows memberOf when via and viaGroups are empty', () => {
    expect(sut.safeParse({ memberOf: ['g'], via: [], viaGroups: [] }).success).toBe(true);
  });
});

describe('DeviceResponseSchema', () => {
  const sut = DeviceResponseSchema;

  it('keeps the registry-owned status', () => {
    const device = {
      enabled: true,
      status: {
        created: '2019-10-03T13:45:16Z',
        updated: '2020-05-04T10:11:12Z',
        'last-user': 'Bob',
        'auto-provisioned': true,
        'auto-provisioning-notification-sent': false,
      },
    };
    expect(sut.parse(device)).toEqual(device);
  });

  it('rejects the camel-case status flags of the OpenAPI example', () => {
    const result = sut.safeParse({ status: { autoProvisioned: false } });
    expect(issuePaths(result)).toContain('status/autoProvisioned');
  });
});

describe('DeviceWithIdSchema', () => {
  it('requires a valid device ID', () => {
    expect(DeviceWithIdSchema.safeParse({ id: '4711', via: ['gw-1'] }).success).toBe(true);
    expect(DeviceWithIdSchema.safeParse({ via: ['gw-1'] }).success).toBe(false);
    expect(DeviceWithIdSchema.safeParse({ id: 'a/b' }).success).toBe(false);
  });
});

describe('SearchDevicesResultSchema', () => {
  it('accepts the { total, result } envelope', () => {
    const page = {
      total: 2,
      result: [
        { id: '4711', enabled: true },
        { id: 'gw-1', status: { 'auto-provisioned': true } },
      ],
    };
    expect(SearchDevicesResultSchema.parse(page)).toEqual(page);
  });
});
