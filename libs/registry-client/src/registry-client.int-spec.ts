import bcrypt from 'bcryptjs';

import type { Subscription } from '@tessera/messaging';
import { AmqpRequestResponseClient } from '@tessera/messaging-amqp';
import { KafkaConsumer } from '@tessera/messaging-kafka';
import { NotFoundError, ServerError, ServiceInvocationError } from '@tessera/registry-api';
import {
  eventually,
  freePort,
  infraEnv,
  type ServiceProcess,
  startService,
  TestPki,
  uniqueId,
  untilPasses,
} from '@tessera/testing';

import { createRegistryClients, type RegistryClients } from './create-registry-clients';

/*
 * The registry client as a protocol adapter uses it, against the distributed registry: the tenant,
 * device-registration and credentials services each in its own process with its own AMQP port
 * (SASL PLAIN), PostgreSQL, and their change notifications on Kafka, consumed by the client's
 * cache the way every adapter instance does (a group of its own).
 */

const { postgresUrl, kafkaBrokers } = infraEnv();
const ADMIN = { name: 'admin', password: 'admin-pw' };
// The services call each other with the least role that works: tenant and device reads, provisioning.
const SERVICE = { name: 'svc', password: 'svc-pw' };
const ADAPTER = { name: 'adapter', password: 'adapter-pw' };
const READY = /listening on amqp:\/\//;

interface Service {
  readonly name: string;
  readonly http: number;
  readonly amqp: number;
  readonly env: Record<string, string>;
  process?: ServiceProcess;
}

describe('registry client against the distributed registry services', () => {
  const services: Service[] = [];
  const transports: AmqpRequestResponseClient[] = [];
  let clients: RegistryClients;
  let consumer: KafkaConsumer;
  const subscriptions: Subscription[] = [];
  const tenant = uniqueId('t');
  const run = uniqueId('dist');
  let managementBase = (_service: string): string => '';

  const start = async (s: Service): Promise<void> => {
    s.process = await startService(s.name, s.env, { ready: READY });
  };

  beforeAll(async () => {
    const common = {
      PERSISTENCE_DRIVER: 'postgres',
      POSTGRES_URL: postgresUrl,
      KAFKA_BROKERS: kafkaBrokers.join(','),
      HTTP_HOST: '127.0.0.1',
      AMQP_HOST: '127.0.0.1',
      MANAGEMENT_USERS: [
        `${ADMIN.name}:${bcrypt.hashSync(ADMIN.password, 4)}`,
        `${SERVICE.name}:${bcrypt.hashSync(SERVICE.password, 4)}:registry-service`,
      ].join(','),
      AMQP_USERS: `${ADAPTER.name}:${bcrypt.hashSync(ADAPTER.password, 4)}`,
      REGISTRY_SERVICE_USER: SERVICE.name,
      REGISTRY_SERVICE_PASSWORD: SERVICE.password,
      BCRYPT_COST: '4',
      // Consumer groups of this registry's own (the clean-ups): the run's Kafka is shared.
      KAFKA_CONSUMER_GROUP_PREFIX: run,
    };
    const ports = await Promise.all(Array.from({ length: 6 }, () => freePort()));
    const [tenantHttp = 0, deviceHttp = 0, credentialsHttp = 0] = ports;
    const url = (port: number): string => `http://127.0.0.1:${String(port)}`;
    const service = (name: string, http: number, amqp: number, extra = {}): Service => ({
      name,
      http,
      amqp,
      env: {
        ...common,
        // Each service owns its data (ARCHITECTURE.md): a schema of its own.
        POSTGRES_SCHEMA: `${run}_${name.replace(/-/g, '_')}`,
        HTTP_PORT: String(http),
        AMQP_PORT: String(amqp),
        ...extra,
      },
    });
    services.push(
      service('tenant', tenantHttp, ports[3] ?? 0),
      service('device-registration', deviceHttp, ports[4] ?? 0, {
        TENANT_SERVICE_URL: url(tenantHttp),
      }),
      service('credentials', credentialsHttp, ports[5] ?? 0, {
        TENANT_SERVICE_URL: url(tenantHttp),
        DEVICE_SERVICE_URL: url(deviceHttp),
      }),
    );
    managementBase = (name) => url(services.find((s) => s.name === name)?.http ?? 0);
    await start(services[0]!);
    await Promise.all(services.slice(1).map(start));

    const transport = (s: Service): AmqpRequestResponseClient =>
      new AmqpRequestResponseClient(
        { url: `amqp://${ADAPTER.name}:${ADAPTER.password}@127.0.0.1:${String(s.amqp)}` },
        2_000,
      );
    const [t, r, c] = services.map(transport);
    transports.push(t!, r!, c!);
    await Promise.all(transports.map((x) => x.start()));
    clients = createRegistryClients({ tenant: t!, registration: r!, credentials: c! });

    // Every adapter instance consumes every notification: consumer groups of its own (one per
    // topic: kafkajs members of one group must subscribe to the same topics).
    const instance = uniqueId('adapter');
    consumer = new KafkaConsumer({ brokers: kafkaBrokers, clientId: run }, instance);
    for (const topic of [
      'hono.notification.registry-tenant',
      'hono.notification.registry-device',
    ]) {
      subscriptions.push(
        await consumer.subscribe(
          topic,
          async (message) => {
            clients.handleNotificationMessage(message);
          },
          { groupId: `${instance}-${topic}` },
        ),
      );
    }
  }, 120_000);

  afterAll(async () => {
    await Promise.all(subscriptions.map((s) => s.close()));
    await consumer.stop();
    await Promise.all(transports.map((t) => t.stop()));
    await Promise.all(services.map((s) => s.process?.stop() ?? Promise.resolve()));
  });

  async function manage(service: string, method: string, path: string, body?: unknown) {
    const response = await fetch(`${managementBase(service)}${path}`, {
      method,
      headers: {
        authorization: `Basic ${Buffer.from(`${ADMIN.name}:${ADMIN.password}`).toString('base64')}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    await response.arrayBuffer();
    return response.status;
  }

  const statusOf = (e: unknown): number | undefined =>
    e instanceof ServiceInvocationError ? e.status : undefined;

  it('answers all three APIs, each from its own service', async () => {
    expect(await manage('tenant', 'POST', `/v1/tenants/${tenant}`, {})).toBe(201);
    expect(
      await manage('device-registration', 'POST', `/v1/devices/${tenant}/dev`, { via: ['gw'] }),
    ).toBe(201);
    expect(await manage('device-registration', 'POST', `/v1/devices/${tenant}/gw`, {})).toBe(201);
    expect(
      await manage('credentials', 'PUT', `/v1/credentials/${tenant}/dev`, [
        { type: 'hashed-password', 'auth-id': 'sensor', secrets: [{ 'pwd-plain': 'pw' }] },
      ]),
    ).toBe(204);

    expect(await clients.tenant.get(tenant)).toMatchObject({ 'tenant-id': tenant, enabled: true });
    expect(await clients.registration.assertRegistration(tenant, 'dev', 'gw')).toMatchObject({
      'device-id': 'dev',
      via: ['gw'],
    });
    const found = await clients.credentials.get(tenant, 'hashed-password', 'sensor');
    expect(found.credentials).toMatchObject({ 'device-id': 'dev', 'auth-id': 'sensor' });
    const refused = await clients.registration
      .assertRegistration(tenant, 'dev', 'stranger')
      .catch(statusOf);
    expect(refused).toBe(403);
    await expect(clients.credentials.get(tenant, 'psk', 'sensor')).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it('refuses a device disabled through the management API within 5 s, although it was cached', async () => {
    expect(await manage('device-registration', 'POST', `/v1/devices/${tenant}/flip`, {})).toBe(201);
    // The assertion is cached: a second call is a hit. (The creation's own notification may still
    // arrive between two calls and drop the entry once, hence the retry.)
    const cached = await eventually(async () => {
      await clients.registration.assertRegistration(tenant, 'flip');
      const hitsBefore = clients.stats().registration.hits;
      await clients.registration.assertRegistration(tenant, 'flip');
      return clients.stats().registration.hits === hitsBefore + 1 ? true : undefined;
    });
    expect(cached).toBe(true);

    const disabledAt = Date.now();
    expect(
      await manage('device-registration', 'PUT', `/v1/devices/${tenant}/flip`, { enabled: false }),
    ).toBe(204);
    const refusedAfter = await eventually(async () => {
      const status = await clients.registration
        .assertRegistration(tenant, 'flip')
        .then(() => undefined, statusOf);
      return status === 404 ? Date.now() - disabledAt : undefined;
    }, 5_000);
    // Without the notification the cached answer would stand for max-age=300 s.
    expect(refusedAfter).toBeDefined();
    expect(refusedAfter).toBeLessThan(5_000);
  });

  it('stops accepting a disabled tenant within 5 s, although it was cached', async () => {
    const other = uniqueId('t');
    expect(await manage('tenant', 'POST', `/v1/tenants/${other}`, {})).toBe(201);
    expect((await clients.tenant.get(other)).enabled).toBe(true);
    const disabledAt = Date.now();
    expect(await manage('tenant', 'PUT', `/v1/tenants/${other}`, { enabled: false })).toBe(204);
    const seenAfter = await eventually(async () => {
      const answer = await clients.tenant.get(other);
      return answer.enabled ? undefined : Date.now() - disabledAt;
    }, 5_000);
    expect(seenAfter).toBeLessThan(5_000);
  });

  it('auto-provisions a certificate device across the services: one device and one credential, also under concurrency', async () => {
    const autoTenant = uniqueId('auto');
    const pki = new TestPki();
    const ca = await pki.selfSigned('ca', '/O=Tessera Test/CN=Distributed CA');
    expect(
      await manage('tenant', 'POST', `/v1/tenants/${autoTenant}`, {
        'trusted-ca': [{ cert: ca.derBase64, 'auto-provisioning-enabled': true }],
      }),
    ).toBe(201);
    const cert = await pki.issue(ca, 'dev', '/O=Tessera Test/CN=distributed-dev');
    const authId = 'CN=distributed-dev,O=Tessera Test';
    // No cache: every request reaches the credentials service (a cache would coalesce them).
    const direct = createRegistryClients(
      { tenant: transports[0]!, registration: transports[1]!, credentials: transports[2]! },
      { cache: false },
    );
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        direct.credentials.get(autoTenant, 'x509-cert', authId, {
          'client-certificate': cert.derBase64,
        }),
      ),
    );
    const ids = new Set(results.map((r) => r.credentials['device-id']));
    expect(ids.size).toBe(1);
    expect(results.some((r) => r.created)).toBe(true);
    const [deviceId = ''] = [...ids];
    const device = (await (
      await fetch(`${managementBase('device-registration')}/v1/devices/${autoTenant}/${deviceId}`, {
        headers: {
          authorization: `Basic ${Buffer.from(`${ADMIN.name}:${ADMIN.password}`).toString('base64')}`,
        },
      })
    ).json()) as { status?: Record<string, unknown> };
    expect(device.status).toMatchObject({ 'auto-provisioned': true });
    const credentials = (await (
      await fetch(`${managementBase('credentials')}/v1/credentials/${autoTenant}/${deviceId}`, {
        headers: {
          authorization: `Basic ${Buffer.from(`${ADMIN.name}:${ADMIN.password}`).toString('base64')}`,
        },
      })
    ).json()) as unknown[];
    expect(credentials).toHaveLength(1);
    expect(await direct.registration.assertRegistration(autoTenant, deviceId)).toMatchObject({
      'device-id': deviceId,
    });
  });

  it('deletes a deleted tenant’s devices and credentials across the services, also when its id is created again at once', async () => {
    const gone = uniqueId('gone');
    const password = (authId: string) => [
      { type: 'hashed-password', 'auth-id': authId, secrets: [{ 'pwd-plain': 'pw' }] },
    ];
    // No cache: every answer is the credentials service's own.
    const direct = createRegistryClients(
      { tenant: transports[0]!, registration: transports[1]!, credentials: transports[2]! },
      { cache: false },
    );
    const credentialsOf = (authId: string): Promise<number | undefined> =>
      direct.credentials.get(gone, 'hashed-password', authId).then(() => 200, statusOf);
    expect(await manage('tenant', 'POST', `/v1/tenants/${gone}`, {})).toBe(201);
    for (const device of ['dev', 'gw']) {
      expect(await manage('device-registration', 'POST', `/v1/devices/${gone}/${device}`, {})).toBe(
        201,
      );
      expect(
        await manage('credentials', 'PUT', `/v1/credentials/${gone}/${device}`, password(device)),
      ).toBe(204);
    }
    expect(await credentialsOf('dev')).toBe(200);

    expect(await manage('tenant', 'DELETE', `/v1/tenants/${gone}`)).toBe(204);
    expect(await manage('tenant', 'POST', `/v1/tenants/${gone}`, {})).toBe(201);
    expect(await manage('device-registration', 'POST', `/v1/devices/${gone}/fresh`, {})).toBe(201);

    // The consumer groups are new: the services may first work through the topics' history.
    await untilPasses(async () => {
      expect(await manage('device-registration', 'GET', `/v1/devices/${gone}/dev`)).toBe(404);
      expect(await manage('device-registration', 'GET', `/v1/devices/${gone}/gw`)).toBe(404);
      expect([await credentialsOf('dev'), await credentialsOf('gw')]).toEqual([404, 404]);
    }, 90_000);
    expect(await manage('device-registration', 'GET', `/v1/devices/${gone}/fresh`)).toBe(200);
    expect(
      await manage('credentials', 'PUT', `/v1/credentials/${gone}/fresh`, password('fresh')),
    ).toBe(204);
    expect(await credentialsOf('fresh')).toBe(200);
  }, 120_000);

  it('recovers by itself when a registry service is killed and restarted', async () => {
    expect(await manage('device-registration', 'POST', `/v1/devices/${tenant}/survivor`, {})).toBe(
      201,
    );
    const registration = services.find((s) => s.name === 'device-registration')!;
    // Every call goes to the service: the cache is cleared after each success (a hit would hide the outage).
    const assertUncached = async (): Promise<number> => {
      try {
        await clients.registration.assertRegistration(tenant, 'survivor');
        clients.cache?.clear();
        return 200;
      } catch (e) {
        return statusOf(e) ?? -1;
      }
    };
    expect(await assertUncached()).toBe(200);

    await registration.process?.kill();
    const whileDown = await assertUncached();
    // No connection: a retryable 503, never a hang or a crash of the client.
    expect(whileDown).toBe(503);
    await expect(
      clients.registration.assertRegistration(tenant, 'survivor'),
    ).rejects.toBeInstanceOf(ServerError);

    await start(registration);
    const recovered = await eventually(
      async () => ((await assertUncached()) === 200 ? true : undefined),
      20_000,
    );
    expect(recovered).toBe(true);
    // The other services' connections were never affected.
    expect((await clients.tenant.get(tenant))['tenant-id']).toBe(tenant);
  });
});
