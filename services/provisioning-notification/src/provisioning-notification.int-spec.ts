import bcrypt from 'bcryptjs';

import { MessagingError } from '@tessera/messaging';
import { AmqpRequestResponseClient } from '@tessera/messaging-amqp';
import { DeliverProvisioningNotificationSchema } from '@tessera/registry-api';
import { RequestResponseProvisioningNotificationClient } from '@tessera/registry-kit';
import {
  freePort,
  infraEnv,
  kcatRead,
  type KcatRecord,
  type RegistryProcess,
  runProgram,
  type ServiceProcess,
  startRegistryProcess,
  startService,
  uniqueId,
  untilPasses,
} from '@tessera/testing';

/*
 * The provisioning-notification service as its own process, as the registry services use it: the
 * Tenant API of the registry process, the run's Kafka and AMQP 1.0 broker; `deliver` requests
 * through the project's AMQP client with SASL PLAIN, the notifications read back with kcat and
 * Qpid Proton (clients nobody here wrote).
 */

const { kafkaBrokers, amqpUrl } = infraEnv();
const CALLER = { name: 'registry', password: 'registry-secret' };
// Has a grant, but not for the deliver API.
const READER = { name: 'reader', password: 'reader-secret' };
const hash = (password: string): string => bcrypt.hashSync(password, 4);
const CONTENT_TYPE = 'application/vnd.eclipse-hono-device-provisioning-notification';
const request = (body: unknown) => DeliverProvisioningNotificationSchema.parse(body);

describe('provisioning-notification service', () => {
  let registry: RegistryProcess;
  let service: ServiceProcess;
  let port = 0;
  let healthUrl = '';
  const transports: AmqpRequestResponseClient[] = [];
  let caller: AmqpRequestResponseClient;
  let client: RequestResponseProvisioningNotificationClient;
  const kafkaTenant = uniqueId('pn');
  const amqpTenant = uniqueId('pnamqp');

  async function manage(method: string, path: string, body?: unknown): Promise<void> {
    const reply = await registry.manage(method, path, body);
    if (reply.status >= 300) {
      throw new Error(`${method} ${path}: ${String(reply.status)} ${JSON.stringify(reply.body)}`);
    }
  }

  async function connect(user: { name: string; password: string }) {
    const transport = new AmqpRequestResponseClient({
      url: `amqp://${user.name}:${user.password}@127.0.0.1:${String(port)}`,
    });
    transports.push(transport);
    await transport.start();
    return transport;
  }

  /** The record with this key, once kcat sees it. */
  function recordFor(topic: string, key: string): Promise<KcatRecord> {
    return untilPasses(async () => {
      const found = (await kcatRead(kafkaBrokers, topic)).find((r) => r.key === key);
      if (found === undefined) throw new Error(`no record for ${key} on ${topic} yet`);
      return found;
    }, 20_000);
  }

  beforeAll(async () => {
    registry = await startRegistryProcess();
    await manage('POST', `/v1/tenants/${kafkaTenant}`, {
      defaults: { ttl: 120, app: 'tenant', region: 'eu' },
      'resource-limits': { 'max-ttl': 60 },
    });
    await manage('POST', `/v1/tenants/${amqpTenant}`, { ext: { 'messaging-type': 'amqp' } });
    let healthPort = 0;
    [port, healthPort] = await Promise.all([freePort(), freePort()]);
    healthUrl = `http://127.0.0.1:${String(healthPort)}`;
    service = await startService(
      'provisioning-notification',
      {
        AMQP_HOST: '127.0.0.1',
        AMQP_PORT: String(port),
        AMQP_USERS: `${CALLER.name}:${hash(CALLER.password)},${READER.name}:${hash(READER.password)}`,
        AMQP_PERMISSIONS: `${READER.name}=tenant:get`,
        TENANT_AMQP_URL: registry.amqpUrl,
        KAFKA_BROKERS: kafkaBrokers.join(','),
        DOWNSTREAM_AMQP_URL: amqpUrl,
        HEALTH_HOST: '127.0.0.1',
        HEALTH_PORT: String(healthPort),
      },
      { ready: /listening on amqp:\/\/.*\(provisioning-notification AMQP 1\.0\)/ },
    );
    caller = await connect(CALLER);
    client = new RequestResponseProvisioningNotificationClient(caller);
  }, 120_000);

  afterAll(async () => {
    await Promise.allSettled(transports.map((t) => t.stop()));
    await service.stop();
    await registry.process.stop();
  });

  it('is ready once the Tenant API, Kafka and the AMQP broker are reachable', async () => {
    const body = await untilPasses(async () => {
      const response = await fetch(`${healthUrl}/readiness`);
      if (response.status !== 200) throw new Error(`readiness ${String(response.status)}`);
      return (await response.json()) as Record<string, unknown>;
    }, 20_000);
    expect(body).toEqual({
      status: 'UP',
      checks: { 'tenant-api': true, kafka: true, amqp: true },
    });
  });

  it('puts Hono’s notification on hono.event.<tenant> (key = device) before answering', async () => {
    const before = Date.now();
    await client.deliver(
      kafkaTenant,
      request({ 'device-id': 'dev-1', defaults: { app: 'device' } }),
    );

    // Acknowledged with acks=all before the reply: readable at once, no polling.
    const records = await kcatRead(kafkaBrokers, `hono.event.${kafkaTenant}`);
    const record = records.find((r) => r.key === 'dev-1');
    if (record === undefined) throw new Error('no record for dev-1');
    expect(record.payload ?? '').toBe('');
    const { 'creation-time': created, traceparent: _trace, ...headers } = record.headers;
    expect(headers).toEqual({
      'content-type': CONTENT_TYPE,
      hono_registration_status: 'NEW',
      tenant_id: kafkaTenant,
      device_id: 'dev-1',
      orig_adapter: 'hono-device-registry',
      orig_address: 'event',
      qos: '1',
      ttl: '60000',
      app: 'device',
      region: 'eu',
    });
    expect(Number(created)).toBeGreaterThanOrEqual(before);
    expect(Number(created)).toBeLessThanOrEqual(Date.now());
  });

  it('adds gateway_id for a device provisioned through a gateway', async () => {
    await client.deliver(kafkaTenant, request({ 'device-id': 'edge-1', 'gateway-id': 'gw-1' }));

    const record = await recordFor(`hono.event.${kafkaTenant}`, 'edge-1');
    expect(record.headers).toMatchObject({ device_id: 'edge-1', gateway_id: 'gw-1' });
  });

  it('sends to the broker’s event/<tenant> for an AMQP tenant (Qpid Proton receiver)', async () => {
    await client.deliver(amqpTenant, request({ 'device-id': 'amqp-dev' }));

    const url = new URL(amqpUrl);
    const script = `
import sys
from proton.utils import BlockingConnection
host, port, user, password, address = sys.argv[1:6]
conn = BlockingConnection(f"{host}:{port}", user=user, password=password, allowed_mechs="PLAIN")
r = conn.create_receiver(address)
m = r.receive(timeout=15)
r.accept()
p = m.properties
print(repr(m.body), m.content_type, p["hono_registration_status"], p["device_id"], p["tenant_id"],
      p["orig_adapter"], p["orig_address"], "gateway_id" in p, m.durable)
conn.close()
`;
    const result = await runProgram('/usr/bin/python3', [
      '-c',
      script,
      url.hostname,
      url.port,
      decodeURIComponent(url.username),
      decodeURIComponent(url.password),
      `event/${amqpTenant}`,
    ]);
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe(
      `None ${CONTENT_TYPE} NEW amqp-dev ${amqpTenant} hono-device-registry event False True`,
    );
    // Nothing went to Kafka for this tenant.
    expect(await kcatRead(kafkaBrokers, `hono.event.${amqpTenant}`)).toEqual([]);
  });

  it('answers 404 for an unknown tenant', async () => {
    await expect(
      client.deliver(uniqueId('nobody'), request({ 'device-id': 'dev-1' })),
    ).rejects.toMatchObject({ status: 404 });
  });

  it('answers 400 for a malformed request and rejects other operations', async () => {
    // Not what the contract allows, as a buggy caller might send it.
    await expect(client.deliver(kafkaTenant, { device: 'x' } as never)).rejects.toMatchObject({
      status: 400,
    });
    const reply = await caller.request(`provisioning-notification/${kafkaTenant}`, {
      subject: 'deliver',
      contentType: 'application/json',
      body: Buffer.from('{not json', 'utf8'),
    });
    expect(reply.properties).toMatchObject({ status: 400, tenant_id: kafkaTenant });
    // Another operation is not granted: settled rejected before it reaches the service (as Hono).
    const wrongOperation = await caller
      .request(`provisioning-notification/${kafkaTenant}`, {
        subject: 'get',
        contentType: 'application/json',
        body: Buffer.from(JSON.stringify({ 'device-id': 'dev-1' }), 'utf8'),
      })
      .catch((e: unknown) => e);
    expect(wrongOperation).toMatchObject({ code: 'REJECTED' });
    expect(String(wrongOperation)).toContain('amqp:unauthorized-access');
  });

  it('answers 202 with tenant_id and device_id on the wire', async () => {
    const reply = await caller.request(`provisioning-notification/${kafkaTenant}`, {
      subject: 'deliver',
      contentType: 'application/json',
      body: Buffer.from(JSON.stringify({ 'device-id': 'dev-raw' }), 'utf8'),
    });
    expect(reply.properties).toMatchObject({
      status: 202,
      tenant_id: kafkaTenant,
      device_id: 'dev-raw',
    });
    expect(reply.body?.length ?? 0).toBe(0);
  });

  it('refuses a user without the deliver grant, and wrong passwords', async () => {
    const reader = await connect(READER);
    const refused = await reader
      .request(`provisioning-notification/${kafkaTenant}`, {
        subject: 'deliver',
        contentType: 'application/json',
        body: Buffer.from(JSON.stringify({ 'device-id': 'sneaky' }), 'utf8'),
      })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(MessagingError);
    expect(String(refused)).toMatch(/refused|unauthorized/);
    const intruder = new AmqpRequestResponseClient({
      url: `amqp://${CALLER.name}:wrong@127.0.0.1:${String(port)}`,
      reconnect: false,
      connectTimeoutMs: 2_000,
    });
    transports.push(intruder);
    await expect(intruder.start()).rejects.toBeInstanceOf(MessagingError);
    expect(
      (await kcatRead(kafkaBrokers, `hono.event.${kafkaTenant}`)).some((r) => r.key === 'sneaky'),
    ).toBe(false);
  });
});
