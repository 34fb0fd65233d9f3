import type { Message } from '@tessera/messaging';
import {
  allDevicesOfTenantDeletedNotification,
  credentialsChangeNotification,
  deviceChangeNotification,
  DeviceIdSchema,
  type RegistryNotification,
  tenantChangeNotification,
  TenantIdSchema,
} from '@tessera/registry-api';

import { createRegistryClients, type RegistryClients } from '../create-registry-clients';
import {
  flush,
  okReply,
  requestBody,
  ScriptedRequestResponseClient,
} from '../testing/scripted-request-response.client';
import { RegistryCache } from './registry-cache';

const tenantId = (id: string) => TenantIdSchema.parse(id);
const deviceId = (id: string) => DeviceIdSchema.parse(id);

/** Answers like a registry with tenants `acme` (alias `acme-alias`, CA `CN=acme`) and `other`. */
function registry(address: string, request: Message): Message {
  const [endpoint] = address.split('/');
  if (endpoint === 'tenant') {
    const body = requestBody({ address, request, options: undefined }) as Record<string, string>;
    const id = body['tenant-id'] ?? body['subject-dn']?.replace('CN=', '') ?? '';
    return okReply({ 'tenant-id': id.replace('-alias', ''), enabled: true }, 'max-age=180');
  }
  if (endpoint === 'registration') {
    const device = String(request.properties?.['device_id']);
    const gateway = request.properties?.['gateway_id'];
    const via = device === 'edge' ? ['gw-a', 'gw-b'] : gateway === undefined ? [] : [gateway];
    return okReply({ 'device-id': device, via }, 'max-age=300');
  }
  const body = requestBody({ address, request, options: undefined }) as Record<string, string>;
  // auth-id `<device>-<anything>`: several auth-ids may belong to one device.
  const device = (body['auth-id'] ?? '').split('-')[0];
  return okReply(
    { 'device-id': device, type: body['type'], 'auth-id': body['auth-id'], secrets: [{}] },
    'max-age=180',
  );
}

function message(notification: RegistryNotification): Message {
  return {
    contentType: 'application/json',
    body: Buffer.from(JSON.stringify(notification), 'utf8'),
  };
}

describe(RegistryCache.name, () => {
  let transport: ScriptedRequestResponseClient;
  let sut: RegistryClients;

  /** Every lookup the tests use, keyed by a name; each is cached after the first call. */
  const lookups: Record<string, () => Promise<unknown>> = {
    tenantById: () => sut.tenant.get('acme'),
    tenantByAlias: () => sut.tenant.get('acme-alias'),
    tenantByDn: () => sut.tenant.getBySubjectDn('CN=acme'),
    otherTenant: () => sut.tenant.get('other'),
    device: () => sut.registration.assertRegistration('acme', 'd1'),
    deviceViaGateway: () => sut.registration.assertRegistration('acme', 'd1', 'gw-a'),
    gatewayItself: () => sut.registration.assertRegistration('acme', 'gw-a'),
    otherViaGateway: () => sut.registration.assertRegistration('acme', 'd2', 'gw-a'),
    edgeWithViaList: () => sut.registration.assertRegistration('acme', 'edge'),
    otherDevice: () => sut.registration.assertRegistration('acme', 'd2'),
    otherTenantDevice: () => sut.registration.assertRegistration('other', 'd1'),
    credentials: () => sut.credentials.get('acme', 'hashed-password', 'd1-pwd'),
    credentialsX509: () =>
      sut.credentials.get('acme', 'x509-cert', 'd1-cert', { 'client-id': 'c' }),
    otherCredentials: () => sut.credentials.get('acme', 'hashed-password', 'd2-pwd'),
    otherTenantCredentials: () => sut.credentials.get('other', 'hashed-password', 'd1-pwd'),
  };
  const ALL = Object.keys(lookups);

  /** The lookups among `names` that needed a request (i.e. were not cached). */
  async function uncached(names: readonly string[] = ALL): Promise<string[]> {
    const result: string[] = [];
    for (const name of names) {
      const before = transport.requests.length;
      await lookups[name]?.();
      if (transport.requests.length > before) result.push(name);
    }
    return result;
  }

  /** Fills the cache, applies `notification`, and returns the lookups it dropped. */
  async function droppedBy(notification: RegistryNotification): Promise<string[]> {
    await uncached();
    expect(await uncached()).toEqual([]);
    expect(sut.handleNotificationMessage(message(notification))).toBe(true);
    return uncached();
  }

  beforeEach(() => {
    transport = new ScriptedRequestResponseClient(registry);
    sut = createRegistryClients(transport);
  });

  describe('tenant-change-v1', () => {
    it.each([
      ['an UPDATE that keeps it enabled (beyond Hono)', 'UPDATE', true, false],
      ['an UPDATE with invalidate-cache-on-update', 'UPDATE', true, true],
      ['an UPDATE that disables it', 'UPDATE', false, false],
      ['a CREATE', 'CREATE', true, false],
    ] as const)(
      'drops the tenant by ID, alias and subject DN on %s',
      async (_name, change, enabled, invalidate) => {
        const notification = tenantChangeNotification(
          change,
          tenantId('acme'),
          enabled,
          invalidate,
        );

        expect(await droppedBy(notification)).toEqual([
          'tenantById',
          'tenantByAlias',
          'tenantByDn',
        ]);
      },
    );

    it('also drops the registration and credentials entries of a deleted tenant', async () => {
      const notification = tenantChangeNotification('DELETE', tenantId('acme'), true, false);

      expect(await droppedBy(notification)).toEqual([
        'tenantById',
        'tenantByAlias',
        'tenantByDn',
        'device',
        'deviceViaGateway',
        'gatewayItself',
        'otherViaGateway',
        'edgeWithViaList',
        'otherDevice',
        'credentials',
        'credentialsX509',
        'otherCredentials',
      ]);
    });
  });

  describe('device-change-v1', () => {
    it.each(['CREATE', 'UPDATE', 'DELETE'] as const)(
      'on %s drops the device’s assertions and credentials',
      async (change) => {
        const notification = deviceChangeNotification(
          change,
          tenantId('acme'),
          deviceId('d1'),
          true,
        );

        expect(await droppedBy(notification)).toEqual([
          'device',
          'deviceViaGateway',
          'credentials',
          'credentialsX509',
        ]);
      },
    );

    it('drops the assertions a gateway appears in, as gateway or via member', async () => {
      const notification = deviceChangeNotification(
        'UPDATE',
        tenantId('acme'),
        deviceId('gw-a'),
        false,
      );

      expect(await droppedBy(notification)).toEqual([
        'deviceViaGateway',
        'gatewayItself',
        'otherViaGateway',
        'edgeWithViaList',
      ]);
    });
  });

  it('drops only the device’s credentials on credentials-change-v1', async () => {
    const notification = credentialsChangeNotification(tenantId('acme'), deviceId('d1'));

    expect(await droppedBy(notification)).toEqual(['credentials', 'credentialsX509']);
  });

  it('drops the tenant’s devices on all-devices-of-tenant-deleted-v1', async () => {
    const notification = allDevicesOfTenantDeletedNotification(tenantId('acme'));

    expect(await droppedBy(notification)).toEqual([
      'device',
      'deviceViaGateway',
      'gatewayItself',
      'otherViaGateway',
      'edgeWithViaList',
      'otherDevice',
      'credentials',
      'credentialsX509',
      'otherCredentials',
    ]);
  });

  it.each<[string, Message]>([
    ['an empty message', {}],
    ['a body that is not JSON', { body: Buffer.from('{"type":') }],
    ['an unknown type', { body: Buffer.from(JSON.stringify({ type: 'tenant-change-v9' })) }],
    [
      'a notification missing members',
      { body: Buffer.from(JSON.stringify({ type: 'credentials-change-v1', 'tenant-id': 'acme' })) },
    ],
  ])('ignores %s', async (_name, ignored) => {
    await uncached();

    expect(sut.handleNotificationMessage(ignored)).toBe(false);
    expect(await uncached()).toEqual([]);
  });

  describe('a notification arriving while a request is in flight', () => {
    it.each<[string, () => Promise<unknown>, RegistryNotification]>([
      [
        'credentials (device known only from the reply)',
        () => sut.credentials.get('acme', 'hashed-password', 'd1-pwd'),
        credentialsChangeNotification(tenantId('acme'), deviceId('d1')),
      ],
      [
        'a registration',
        () => sut.registration.assertRegistration('acme', 'd1'),
        deviceChangeNotification('UPDATE', tenantId('acme'), deviceId('d1'), false),
      ],
      [
        'a tenant by subject DN (tenant known only from the reply)',
        () => sut.tenant.getBySubjectDn('CN=acme'),
        tenantChangeNotification('UPDATE', tenantId('acme'), true, false),
      ],
    ])('keeps %s from being cached', async (_name, lookup, notification) => {
      const held = transport.hold();
      const inFlight = lookup();
      await flush();
      sut.handleNotificationMessage(message(notification));
      const sent = transport.requests[0];
      held.release(registry(sent?.address ?? '', sent?.request ?? {}));
      await inFlight;

      await lookup();
      expect(transport.requests).toHaveLength(2);
      await lookup();
      expect(transport.requests).toHaveLength(2);
    });

    it('still caches what the notification does not concern', async () => {
      const held = transport.hold();
      const inFlight = sut.credentials.get('acme', 'hashed-password', 'd2-pwd');
      await flush();
      sut.handleNotificationMessage(
        message(credentialsChangeNotification(tenantId('acme'), deviceId('d1'))),
      );
      const sent = transport.requests[0];
      held.release(registry(sent?.address ?? '', sent?.request ?? {}));
      await inFlight;

      await sut.credentials.get('acme', 'hashed-password', 'd2-pwd');
      expect(transport.requests).toHaveLength(1);
    });
  });

  it('counts hits, misses and invalidations', async () => {
    await uncached(['device', 'device', 'credentials']);
    sut.handleNotificationMessage(
      message(deviceChangeNotification('DELETE', tenantId('acme'), deviceId('d1'), true)),
    );

    expect(sut.stats()).toMatchObject({
      registration: { hits: 1, misses: 1, invalidations: 1, size: 0 },
      credentials: { hits: 0, misses: 1, invalidations: 1, size: 0 },
      tenant: { hits: 0, misses: 0, size: 0 },
    });
  });
});
