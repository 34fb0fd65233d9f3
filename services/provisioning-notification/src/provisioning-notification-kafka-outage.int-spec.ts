import bcrypt from 'bcryptjs';

import { AmqpRequestResponseClient } from '@tessera/messaging-amqp';
import { DeliverProvisioningNotificationSchema, ServerError } from '@tessera/registry-api';
import { RequestResponseProvisioningNotificationClient } from '@tessera/registry-kit';
import {
  freePort,
  kcatRead,
  type PrivateKafka,
  privateKafka,
  type RegistryProcess,
  type ServiceProcess,
  startRegistryProcess,
  startService,
  uniqueId,
  untilPasses,
} from '@tessera/testing';

/*
 * Kafka goes away under the provisioning-notification service and comes back: `deliver` answers
 * a retryable 503 instead of a false 202 (so the caller keeps its flag unset and retries),
 * readiness reports it, and both recover without a restart. The broker is a private one of this
 * test; the registry stays on the run's Kafka.
 */

describe('provisioning-notification during a Kafka outage', () => {
  let kafka: PrivateKafka;
  let registry: RegistryProcess;
  let service: ServiceProcess;
  let transport: AmqpRequestResponseClient;
  let client: RequestResponseProvisioningNotificationClient;
  let healthUrl = '';
  const tenant = uniqueId('pnout');
  const deliver = (deviceId: string): Promise<void> =>
    client.deliver(tenant, DeliverProvisioningNotificationSchema.parse({ 'device-id': deviceId }));
  const readiness = async (): Promise<number> => (await fetch(`${healthUrl}/readiness`)).status;

  beforeAll(async () => {
    kafka = await privateKafka();
    registry = await startRegistryProcess();
    expect((await registry.manage('POST', `/v1/tenants/${tenant}`, {})).status).toBe(201);
    const [port, healthPort] = await Promise.all([freePort(), freePort()]);
    service = await startService(
      'provisioning-notification',
      {
        AMQP_HOST: '127.0.0.1',
        AMQP_PORT: String(port),
        AMQP_USERS: `registry:${bcrypt.hashSync('secret', 4)}`,
        TENANT_AMQP_URL: registry.amqpUrl,
        KAFKA_BROKERS: kafka.brokers.join(','),
        DOWNSTREAM_TIMEOUT_MS: '3000',
        HEALTH_HOST: '127.0.0.1',
        HEALTH_PORT: String(healthPort),
      },
      { ready: /\(provisioning-notification AMQP 1\.0\)/ },
    );
    healthUrl = `http://127.0.0.1:${String(healthPort)}`;
    transport = new AmqpRequestResponseClient({
      url: `amqp://registry:secret@127.0.0.1:${String(port)}`,
    });
    await transport.start();
    client = new RequestResponseProvisioningNotificationClient(transport);
  }, 180_000);

  afterAll(async () => {
    await transport.stop();
    await service.stop();
    await registry.process.stop();
    await kafka.down();
  });

  it('answers a retryable 503 while Kafka is down and delivers again once it is back', async () => {
    await deliver('before');
    expect(await readiness()).toBe(200);

    await kafka.stop();
    const error = await deliver('during').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ status: 503, retryable: true });
    await untilPasses(async () => {
      expect(await readiness()).toBe(503);
    }, 10_000);

    await kafka.start();
    await untilPasses(() => deliver('after'), 60_000, 1_000);
    await untilPasses(async () => {
      expect(await readiness()).toBe(200);
    }, 10_000);
    const keys = (await kcatRead(kafka.brokers, `hono.event.${tenant}`)).map((r) => r.key);
    expect(keys).toContain('before');
    expect(keys).toContain('after');
  }, 180_000);
});
