import bcrypt from 'bcryptjs';

import { AmqpRequestResponseClient } from '@tessera/messaging-amqp';
import { createRegistryClients, type RegistryClients } from '@tessera/registry-client';
import {
  freePort,
  kcatRead,
  type PrivateKafka,
  privateKafka,
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
 * The mission's guarantee (ARCHITECTURE.md, 1): every auto-provisioned device yields at least one
 * Device Provisioning Notification, also when Kafka or the provisioning-notification service is
 * down while devices are provisioned. Bursts of 200 provisionings, half by client certificate and
 * half by gateways, through the registry's AMQP APIs as adapters call them; a private Kafka that is
 * stopped and started again, and the notification service killed with SIGKILL and restarted.
 * Afterwards every device must have a notification on hono.event.<tenant> (read with kcat) and
 * every `auto-provisioning-notification-sent` flag must be true.
 */

const NOTIFIER = { name: 'registry', password: 'notify-secret' };
const CONTENT_TYPE = 'application/vnd.eclipse-hono-device-provisioning-notification';
const N = 200;

type Json = Record<string, unknown>;

/** Runs `tasks` with at most `width` at a time. */
async function pooled<T>(tasks: (() => Promise<T>)[], width: number): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < tasks.length) {
        const index = next++;
        const task = tasks[index];
        if (task) results[index] = await task();
      }
    }),
  );
  return results;
}

describe('provisioning notifications are delivered at least once', () => {
  let kafka: PrivateKafka;
  let registry: RegistryProcess;
  let notifier: ServiceProcess;
  let notifierEnv: Record<string, string>;
  let transport: AmqpRequestResponseClient;
  let clients: RegistryClients;
  const pki = new TestPki();
  let ca: TestCertificate;
  const certificates: TestCertificate[] = [];

  const startNotifier = async (): Promise<ServiceProcess> =>
    startService('provisioning-notification', notifierEnv, { ready: /listening on amqp:\/\// });

  async function manage(method: string, path: string, body?: unknown): Promise<Json> {
    const reply = await registry.manage(method, path, body);
    if (reply.status >= 300) {
      throw new Error(`${method} ${path}: ${String(reply.status)} ${JSON.stringify(reply.body)}`);
    }
    return (reply.body ?? {}) as Json;
  }

  async function tenantWithGateway(): Promise<string> {
    const tenant = uniqueId('alo');
    await manage('POST', `/v1/tenants/${tenant}`, {
      'trusted-ca': [{ cert: ca.derBase64, 'auto-provisioning-enabled': true }],
    });
    await manage('POST', `/v1/devices/${tenant}/gw`, {
      authorities: ['auto-provisioning-enabled'],
    });
    return tenant;
  }

  /** One provisioning: even indexes by certificate, odd ones by the gateway. @returns the device id. */
  function provisioning(tenant: string, index: number): () => Promise<string> {
    return async () => {
      if (index % 2 === 1) {
        const id = `edge-${String(index)}`;
        await clients.registration.assertRegistration(tenant, id, 'gw');
        return id;
      }
      const cert = certificates[index / 2];
      if (!cert) throw new Error('fixture');
      const { credentials } = await clients.credentials.get(
        tenant,
        'x509-cert',
        `CN=burst-${String(index / 2)},O=Tessera Test`,
        { 'client-certificate': cert.derBase64 },
      );
      return credentials['device-id'];
    };
  }

  const flagOf = async (tenant: string, id: string): Promise<boolean> => {
    const device = await manage('GET', `/v1/devices/${tenant}/${id}`);
    return (device['status'] as Json)['auto-provisioning-notification-sent'] === true;
  };

  /** Waits until every device has a notification on the topic and its flag set. */
  async function expectAllDelivered(tenant: string, devices: readonly string[]): Promise<void> {
    await untilPasses(
      async () => {
        const records = await kcatRead(kafka.brokers, `hono.event.${tenant}`);
        const notified = new Set(
          records
            .filter(
              (r) =>
                r.headers['content-type'] === CONTENT_TYPE &&
                r.headers['hono_registration_status'] === 'NEW' &&
                r.key === r.headers['device_id'],
            )
            .map((r) => r.key),
        );
        const missing = devices.filter((d) => !notified.has(d));
        expect({ missing: missing.length, of: devices.length }).toEqual({ missing: 0, of: N });
        const edge = records.find((r) => r.key === 'edge-1');
        expect(edge?.headers['gateway_id']).toBe('gw');
      },
      150_000,
      2_000,
    );
    await untilPasses(
      async () => {
        const flags = await pooled(
          devices.map((d) => () => flagOf(tenant, d)),
          8,
        );
        expect(flags.filter((f) => !f)).toHaveLength(0);
      },
      60_000,
      2_000,
    );
  }

  beforeAll(async () => {
    ca = await pki.selfSigned('ca', '/O=Tessera Test/CN=Burst CA');
    const made = await pooled(
      Array.from(
        { length: N / 2 },
        (_, i) => () =>
          pki.issue(ca, `burst-${String(i)}`, `/O=Tessera Test/CN=burst-${String(i)}`),
      ),
      4,
    );
    certificates.push(...made);
    kafka = await privateKafka();
    const notifierPort = await freePort();
    registry = await startRegistryProcess({
      kafkaBrokers: kafka.brokers,
      env: {
        PROVISIONING_NOTIFICATION_AMQP_URL: `amqp://${NOTIFIER.name}:${NOTIFIER.password}@127.0.0.1:${String(notifierPort)}`,
        PROVISIONING_NOTIFICATION_TIMEOUT_MS: '5000',
      },
    });
    notifierEnv = {
      AMQP_HOST: '127.0.0.1',
      AMQP_PORT: String(notifierPort),
      AMQP_USERS: `${NOTIFIER.name}:${bcrypt.hashSync(NOTIFIER.password, 4)}`,
      TENANT_AMQP_URL: registry.amqpUrl,
      KAFKA_BROKERS: kafka.brokers.join(','),
      DOWNSTREAM_TIMEOUT_MS: '3000',
      HEALTH_HOST: '127.0.0.1',
      HEALTH_PORT: String(await freePort()),
    };
    notifier = await startNotifier();
    transport = new AmqpRequestResponseClient({ url: registry.amqpUrl }, 15_000);
    clients = createRegistryClients(transport, { cache: false });
  }, 300_000);

  afterAll(async () => {
    await transport.stop();
    await notifier.stop();
    await registry.process.stop();
    await kafka.down();
  });

  it('survives Kafka stopped during a burst of 200 provisionings and started later', async () => {
    const tenant = await tenantWithGateway();
    const before = await pooled(
      Array.from({ length: 60 }, (_, i) => provisioning(tenant, i)),
      6,
    );
    await kafka.stop();
    const during = await pooled(
      Array.from({ length: N - 60 }, (_, i) => provisioning(tenant, 60 + i)),
      6,
    );
    const devices = [...before, ...during];
    expect(new Set(devices).size).toBe(N);
    // The outage mattered: devices provisioned while Kafka was down are still unannounced.
    const pending = await pooled(
      during.slice(-20).map((d) => async () => !(await flagOf(tenant, d))),
      8,
    );
    expect(pending.filter(Boolean).length).toBeGreaterThan(0);

    await kafka.start();
    await expectAllDelivered(tenant, devices);
    // The registry counts what the relay delivered late, and its backlog drains to zero.
    await untilPasses(async () => {
      const metrics = await (await fetch(`${registry.managementUrl}/metrics`)).text();
      const sample = (name: string): number =>
        metrics
          .split('\n')
          .filter((l) => l.startsWith(name))
          .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
      expect(sample('tessera_provisioning_notifications_redelivered_total')).toBeGreaterThan(0);
      expect(sample('tessera_provisioning_notifications_pending')).toBe(0);
    }, 20_000);
    // A CA is trusted by one tenant only: free it for the next burst.
    await manage('DELETE', `/v1/tenants/${tenant}`);
  }, 400_000);

  it('survives the notification service killed during a burst of 200 provisionings and restarted', async () => {
    const tenant = await tenantWithGateway();
    const before = await pooled(
      Array.from({ length: 60 }, (_, i) => provisioning(tenant, i)),
      6,
    );
    await notifier.kill();
    const during = await pooled(
      Array.from({ length: N - 60 }, (_, i) => provisioning(tenant, 60 + i)),
      6,
    );
    const devices = [...before, ...during];
    expect(new Set(devices).size).toBe(N);
    const pending = await pooled(
      during.slice(-20).map((d) => async () => !(await flagOf(tenant, d))),
      8,
    );
    expect(pending.filter(Boolean).length).toBeGreaterThan(0);

    notifier = await startNotifier();
    await expectAllDelivered(tenant, devices);
  }, 400_000);
});
