import bcrypt from 'bcryptjs';

import { AmqpRequestResponseClient } from '@tessera/messaging-amqp';
import { type ServiceInvocationError } from '@tessera/registry-api';
import { createRegistryClients, type RegistryClients } from '@tessera/registry-client';
import {
  freePort,
  infraEnv,
  kcatRead,
  type KcatRecord,
  type RegistryProcess,
  type ServiceProcess,
  startRegistryProcess,
  startService,
  type TestCertificate,
  TestPki,
  uniqueId,
  untilPasses,
} from '@tessera/testing';

/*
 * Hono's auto-provisioning, end to end through the registry's AMQP APIs as an adapter calls them:
 * X.509 (the credentials service creates device and credentials) and gateway-based (the device
 * registration service creates the edge device), each followed by the Device Provisioning
 * Notification on the tenant's event topic, delivered by the provisioning-notification service
 * (its own process) and read back with kcat.
 */

const { kafkaBrokers } = infraEnv();
const NOTIFIER = { name: 'registry', password: 'notify-secret' };
const PROVISIONING_CONTENT_TYPE = 'application/vnd.eclipse-hono-device-provisioning-notification';

type Json = Record<string, unknown>;

async function failure(promise: Promise<unknown>): Promise<ServiceInvocationError> {
  try {
    await promise;
  } catch (e) {
    return e as ServiceInvocationError;
  }
  throw new Error('expected a failure');
}

describe('auto-provisioning', () => {
  let registry: RegistryProcess;
  let notifier: ServiceProcess;
  let transport: AmqpRequestResponseClient;
  let clients: RegistryClients;
  const pki = new TestPki();
  let ca: TestCertificate;
  let gatewayCa: TestCertificate;
  let templateCa: TestCertificate;
  let closedCa: TestCertificate;
  const tenant = uniqueId('auto');

  async function manage(method: string, path: string, body?: unknown): Promise<Json> {
    const reply = await registry.manage(method, path, body);
    if (reply.status >= 300) {
      throw new Error(`${method} ${path}: ${String(reply.status)} ${JSON.stringify(reply.body)}`);
    }
    return (reply.body ?? {}) as Json;
  }
  const certGet = (cert: TestCertificate, authId: string) =>
    clients.credentials.get(tenant, 'x509-cert', authId, { 'client-certificate': cert.derBase64 });
  const notifications = async (deviceId: string): Promise<KcatRecord[]> =>
    untilPasses(async () => {
      const found = (await kcatRead(kafkaBrokers, `hono.event.${tenant}`)).filter(
        (r) => r.key === deviceId && r.headers['content-type'] === PROVISIONING_CONTENT_TYPE,
      );
      if (found.length === 0) throw new Error(`no notification for ${deviceId} yet`);
      return found;
    }, 30_000);

  beforeAll(async () => {
    [ca, gatewayCa, templateCa, closedCa] = await Promise.all([
      pki.selfSigned('ca', '/O=Tessera Test/CN=Auto CA'),
      pki.selfSigned('gw-ca', '/O=Tessera Test/CN=Gateway CA'),
      pki.selfSigned('tpl-ca', '/O=Tessera Test/CN=Template CA'),
      pki.selfSigned('closed-ca', '/O=Tessera Test/CN=Closed CA'),
    ]);
    const notifierPort = await freePort();
    registry = await startRegistryProcess({
      env: {
        PROVISIONING_NOTIFICATION_AMQP_URL: `amqp://${NOTIFIER.name}:${NOTIFIER.password}@127.0.0.1:${String(notifierPort)}`,
      },
    });
    notifier = await startService(
      'provisioning-notification',
      {
        AMQP_HOST: '127.0.0.1',
        AMQP_PORT: String(notifierPort),
        AMQP_USERS: `${NOTIFIER.name}:${bcrypt.hashSync(NOTIFIER.password, 4)}`,
        TENANT_AMQP_URL: registry.amqpUrl,
        KAFKA_BROKERS: kafkaBrokers.join(','),
        HEALTH_HOST: '127.0.0.1',
        HEALTH_PORT: String(await freePort()),
      },
      { ready: /listening on amqp:\/\// },
    );
    transport = new AmqpRequestResponseClient({ url: registry.amqpUrl }, 10_000);
    clients = createRegistryClients(transport, { cache: false });
    await manage('POST', `/v1/tenants/${tenant}`, {
      defaults: { 'app-key': 'tenant' },
      'trusted-ca': [
        { cert: ca.derBase64, 'auto-provisioning-enabled': true },
        {
          cert: gatewayCa.derBase64,
          'auto-provisioning-enabled': true,
          'auto-provision-as-gateway': true,
        },
        {
          cert: templateCa.derBase64,
          'auto-provisioning-enabled': true,
          'auto-provisioning-device-id-template': 'device-{{subject-cn}}',
        },
        { cert: closedCa.derBase64 },
      ],
    });
    await manage('POST', `/v1/devices/${tenant}/gw`, {
      authorities: ['auto-provisioning-enabled'],
    });
    await manage('POST', `/v1/devices/${tenant}/gw2`, {
      authorities: ['auto-provisioning-enabled'],
    });
    await manage('POST', `/v1/devices/${tenant}/plain-gw`);
  }, 180_000);

  afterAll(async () => {
    await transport.stop();
    await notifier.stop();
    await registry.process.stop();
  });

  it('creates device and credentials for a certificate of a CA that allows it (201), then answers 200', async () => {
    const cert = await pki.issue(ca, 'dev-a', '/O=Tessera Test/CN=dev-a');
    const authId = 'CN=dev-a,O=Tessera Test';
    const first = await certGet(cert, authId);
    expect(first.created).toBe(true);
    const deviceId = first.credentials['device-id'];
    expect(first.credentials).toMatchObject({ type: 'x509-cert', 'auth-id': authId });
    const device = await manage('GET', `/v1/devices/${tenant}/${deviceId}`);
    expect(device).toMatchObject({ enabled: true, status: { 'auto-provisioned': true } });
    expect(device['authorities']).toBeUndefined();
    const again = await certGet(cert, authId);
    expect(again).toMatchObject({ created: false, credentials: { 'device-id': deviceId } });

    const [notification] = await notifications(deviceId);
    expect(notification?.payload).toBeNull();
    expect(notification?.headers).toMatchObject({
      'content-type': PROVISIONING_CONTENT_TYPE,
      hono_registration_status: 'NEW',
      tenant_id: tenant,
      device_id: deviceId,
      orig_adapter: 'hono-device-registry',
      qos: '1',
      'app-key': 'tenant',
    });
    expect(notification?.headers['gateway_id']).toBeUndefined();
    await untilPasses(async () => {
      const flagged = await manage('GET', `/v1/devices/${tenant}/${deviceId}`);
      expect(flagged['status']).toMatchObject({ 'auto-provisioning-notification-sent': true });
    }, 15_000);
  });

  it('creates exactly one device and one credential when the same certificate connects many times at once', async () => {
    const cert = await pki.issue(ca, 'dev-burst', '/O=Tessera Test/CN=dev-burst');
    const authId = 'CN=dev-burst,O=Tessera Test';
    const results = await Promise.all(Array.from({ length: 12 }, () => certGet(cert, authId)));
    const ids = new Set(results.map((r) => r.credentials['device-id']));
    expect(ids.size).toBe(1);
    const [deviceId] = [...ids];
    const credentials = (
      await registry.manage('GET', `/v1/credentials/${tenant}/${String(deviceId)}`)
    ).body as Json[];
    expect(credentials.filter((c) => c['auth-id'] === authId)).toHaveLength(1);
  });

  it('provisions a gateway for a CA with auto-provision-as-gateway, which can then provision edge devices', async () => {
    const cert = await pki.issue(gatewayCa, 'gw-c', '/O=Tessera Test/CN=gw-c');
    const { credentials } = await certGet(cert, 'CN=gw-c,O=Tessera Test');
    const gatewayId = credentials['device-id'];
    const gateway = await manage('GET', `/v1/devices/${tenant}/${gatewayId}`);
    expect(gateway['authorities']).toEqual(['auto-provisioning-enabled']);
    const assertion = await clients.registration.assertRegistration(
      tenant,
      'edge-of-cert-gw',
      gatewayId,
    );
    expect(assertion.via).toEqual([gatewayId]);
  });

  it('derives the device id from the CA’s template, and refuses one that makes no valid id (400)', async () => {
    const cert = await pki.issue(templateCa, 'tpl', '/O=Tessera Test/CN=sensor-77');
    const { credentials, created } = await certGet(cert, 'CN=sensor-77,O=Tessera Test');
    expect(created).toBe(true);
    expect(credentials['device-id']).toBe('device-sensor-77');
    const bad = await pki.issue(templateCa, 'tpl-bad', '/O=Tessera Test/CN=no spaces allowed?');
    expect((await failure(certGet(bad, 'CN=no spaces allowed?,O=Tessera Test'))).status).toBe(400);
  });

  it('answers 404 and creates nothing for a CA without auto-provisioning', async () => {
    const cert = await pki.issue(closedCa, 'closed', '/O=Tessera Test/CN=closed-dev');
    expect((await failure(certGet(cert, 'CN=closed-dev,O=Tessera Test'))).status).toBe(404);
    const search = await registry.manage('GET', `/v1/devices/${tenant}?pageSize=200`);
    expect(JSON.stringify(search.body)).not.toContain('closed-dev');
  });

  it('creates an edge device for a gateway with the authority, and notifies with its gateway_id', async () => {
    const assertion = await clients.registration.assertRegistration(tenant, 'edge-1', 'gw');
    expect(assertion).toMatchObject({ 'device-id': 'edge-1', via: ['gw'] });
    const device = await manage('GET', `/v1/devices/${tenant}/edge-1`);
    expect(device).toMatchObject({ via: ['gw'], status: { 'auto-provisioned': true } });
    const [notification] = await notifications('edge-1');
    expect(notification?.headers).toMatchObject({ device_id: 'edge-1', gateway_id: 'gw' });
    // A gateway without the authority provisions nothing.
    expect(
      (await failure(clients.registration.assertRegistration(tenant, 'edge-x', 'plain-gw'))).status,
    ).toBe(404);
  });

  it('lets one of two racing gateways win; the other gets 403', async () => {
    const outcomes = await Promise.allSettled([
      clients.registration.assertRegistration(tenant, 'contested', 'gw'),
      clients.registration.assertRegistration(tenant, 'contested', 'gw2'),
    ]);
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    const lost = outcomes.filter((o) => o.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect((lost[0] as PromiseRejectedResult).reason).toMatchObject({ status: 403 });
    const device = await manage('GET', `/v1/devices/${tenant}/contested`);
    expect((device['via'] as string[]).length).toBe(1);
  });

  it('counts provisioning attempts by path, outcome and reason in /metrics', async () => {
    const attempts = async (): Promise<Map<string, number>> => {
      const text = await (await fetch(`${registry.managementUrl}/metrics`)).text();
      const counts = new Map<string, number>();
      for (const line of text.split('\n')) {
        const match = /^tessera_provisioning_attempts_total\{([^}]*)\} (\S+)/.exec(line);
        if (!match) continue;
        const labels = new Map<string, string>();
        for (const m of (match[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)) {
          labels.set(m[1] ?? '', m[2] ?? '');
        }
        const key = `${String(labels.get('path'))}/${String(labels.get('outcome'))}/${String(labels.get('reason'))}`;
        counts.set(key, Number(match[2]));
      }
      return counts;
    };
    const before = await attempts();
    const delta = (after: Map<string, number>, key: string): number =>
      (after.get(key) ?? 0) - (before.get(key) ?? 0);

    for (const name of ['metric-a', 'metric-b']) {
      const cert = await pki.issue(ca, name, `/O=Tessera Test/CN=${name}`);
      expect((await certGet(cert, `CN=${name},O=Tessera Test`)).created).toBe(true);
    }
    const closed = await pki.issue(closedCa, 'metric-closed', '/O=Tessera Test/CN=metric-closed');
    expect((await failure(certGet(closed, 'CN=metric-closed,O=Tessera Test'))).status).toBe(404);
    const bad = await pki.issue(templateCa, 'metric-bad', '/O=Tessera Test/CN=bad id?');
    expect((await failure(certGet(bad, 'CN=bad id?,O=Tessera Test'))).status).toBe(400);
    await clients.registration.assertRegistration(tenant, 'metric-edge', 'gw');

    const after = await attempts();
    expect({
      certificates: delta(after, 'certificate/provisioned/device'),
      untrusted: delta(after, 'certificate/refused/ca-not-trusted'),
      invalidId: delta(after, 'certificate/failed/invalid-id'),
      edge: delta(after, 'gateway/provisioned/edge-device'),
    }).toEqual({ certificates: 2, untrusted: 1, invalidId: 1, edge: 1 });
  });
});

describe('auto-provisioning in embedded mode (notifications delivered in-process)', () => {
  let registry: RegistryProcess;
  let transport: AmqpRequestResponseClient;
  const tenant = uniqueId('autoemb');

  beforeAll(async () => {
    registry = await startRegistryProcess();
    transport = new AmqpRequestResponseClient({ url: registry.amqpUrl }, 10_000);
    expect((await registry.manage('POST', `/v1/tenants/${tenant}`, {})).status).toBe(201);
    expect(
      (
        await registry.manage('POST', `/v1/devices/${tenant}/gw`, {
          authorities: ['auto-provisioning-enabled'],
        })
      ).status,
    ).toBe(201);
  }, 120_000);

  afterAll(async () => {
    await transport.stop();
    await registry.process.stop();
  });

  it('notifies an edge device provisioned by a gateway on hono.event.<tenant>', async () => {
    const clients = createRegistryClients(transport, { cache: false });
    await clients.registration.assertRegistration(tenant, 'edge-emb', 'gw');
    const record = await untilPasses(async () => {
      const found = (await kcatRead(kafkaBrokers, `hono.event.${tenant}`)).find(
        (r) => r.key === 'edge-emb',
      );
      if (found === undefined) throw new Error('no notification yet');
      return found;
    }, 30_000);
    expect(record.headers).toMatchObject({
      'content-type': PROVISIONING_CONTENT_TYPE,
      gateway_id: 'gw',
      tenant_id: tenant,
    });
  });
});
