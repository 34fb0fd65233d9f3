import type { Message } from '@tessera/messaging';
import {
  credentialsChangeNotification,
  DeviceIdSchema,
  TenantIdSchema,
} from '@tessera/registry-api';

import { createRegistryClients } from './create-registry-clients';
import { okReply, ScriptedRequestResponseClient } from './testing/scripted-request-response.client';

const NOTIFICATION: Message = {
  body: Buffer.from(
    JSON.stringify(
      credentialsChangeNotification(TenantIdSchema.parse('acme'), DeviceIdSchema.parse('d1')),
    ),
  ),
};

describe(createRegistryClients.name, () => {
  let transport: ScriptedRequestResponseClient;

  beforeEach(() => {
    transport = new ScriptedRequestResponseClient((address) =>
      address === 'tenant'
        ? okReply({ 'tenant-id': 'acme', enabled: true }, 'max-age=60')
        : okReply({ 'device-id': 'd1' }, 'max-age=60'),
    );
  });

  it('builds caching clients that share the transport and its timeout', async () => {
    const sut = createRegistryClients(transport, { timeoutMs: 2500 });

    await sut.tenant.get('acme');
    await sut.tenant.get('acme');
    await sut.registration.assertRegistration('acme', 'd1');
    await sut.registration.assertRegistration('acme', 'd1');

    expect(transport.requests.map((r) => r.options)).toEqual([
      { timeoutMs: 2500 },
      { timeoutMs: 2500 },
    ]);
    expect(sut.cache).toBeDefined();
    expect(sut.stats().tenant).toMatchObject({ hits: 1, misses: 1, size: 1 });
  });

  it('passes cache options on', async () => {
    let now = 0;
    const sut = createRegistryClients(transport, {
      cache: { maxAgeCapSeconds: 5, now: () => now },
    });

    await sut.tenant.get('acme');
    now = 5_000;
    await sut.tenant.get('acme');
    expect(transport.requests).toHaveLength(2);
  });

  it('can do without a cache', async () => {
    const sut = createRegistryClients(transport, { cache: false });

    await sut.tenant.get('acme');
    await sut.tenant.get('acme');

    expect(transport.requests).toHaveLength(2);
    expect(sut.cache).toBeUndefined();
    expect(sut.stats().tenant).toMatchObject({ hits: 0, misses: 0, size: 0 });
    expect(sut.handleNotificationMessage(NOTIFICATION)).toBe(true);
    expect(sut.handleNotificationMessage({ body: Buffer.from('nonsense') })).toBe(false);
  });

  it('rejects invalid cache options', () => {
    expect(() => createRegistryClients(transport, { cache: { maxEntries: 0 } })).toThrow(
      RangeError,
    );
  });
});
