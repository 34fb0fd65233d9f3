import {
  freePort,
  kcatRead,
  mosquittoPub,
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
 * Kafka goes away under the MQTT adapter and comes back: a QoS 1 publish gets no PUBACK (the
 * connection is closed instead, so the device resends elsewhere), readiness reports the outage,
 * and both recover without a restart. A private broker (infra.sh stop/start keep port and data).
 */

describe('MQTT adapter during a Kafka outage', () => {
  let kafka: PrivateKafka;
  let registry: RegistryProcess;
  let adapter: ServiceProcess;
  let port = 0;
  let healthUrl = '';
  const tenant = uniqueId('mqttout');

  const publish = (topic: string, message: string) =>
    mosquittoPub(port, { username: `d1@${tenant}`, password: 'pw' }, topic, message);
  const readiness = async (): Promise<number> => (await fetch(`${healthUrl}/readiness`)).status;

  beforeAll(async () => {
    kafka = await privateKafka();
    registry = await startRegistryProcess({ kafkaBrokers: kafka.brokers });
    const healthPort = await freePort();
    port = await freePort();
    adapter = await startService(
      'mqtt-adapter',
      {
        REGISTRY_AMQP_URL: registry.amqpUrl,
        KAFKA_BROKERS: kafka.brokers.join(','),
        DOWNSTREAM_TIMEOUT_MS: '3000',
        MQTT_ADAPTER_HOST: '127.0.0.1',
        MQTT_ADAPTER_PORT: String(port),
        HEALTH_HOST: '127.0.0.1',
        HEALTH_PORT: String(healthPort),
      },
      { ready: /listening on mqtt:\/\/.*\(devices/ },
    );
    healthUrl = `http://127.0.0.1:${String(healthPort)}`;
    expect((await registry.manage('POST', `/v1/tenants/${tenant}`, {})).status).toBe(201);
    expect((await registry.manage('POST', `/v1/devices/${tenant}/d1`, {})).status).toBe(201);
    expect(
      (
        await registry.manage('PUT', `/v1/credentials/${tenant}/d1`, [
          { type: 'hashed-password', 'auth-id': 'd1', secrets: [{ 'pwd-plain': 'pw' }] },
        ])
      ).status,
    ).toBe(204);
  }, 180_000);

  afterAll(async () => {
    await adapter.stop();
    await registry.process.stop();
    await kafka.down();
  });

  it('sends no PUBACK while Kafka is down, and acknowledges again once it is back', async () => {
    expect((await publish('event', 'before')).code).toBe(0);
    await kafka.stop();
    const during = await publish('event', 'during');
    expect(during.code).not.toBe(0);
    const duringQos1 = await publish('telemetry', 'during-telemetry');
    expect(duringQos1.code).not.toBe(0);
    await untilPasses(async () => {
      expect(await readiness()).toBe(503);
    }, 10_000);

    await kafka.start();
    await untilPasses(
      async () => {
        expect((await publish('event', 'after')).code).toBe(0);
      },
      60_000,
      1_000,
    );
    await untilPasses(async () => {
      expect(await readiness()).toBe(200);
    }, 10_000);
    const payloads = (await kcatRead(kafka.brokers, `hono.event.${tenant}`)).map((r) => r.payload);
    expect(payloads).toContain('before');
    expect(payloads).toContain('after');
  }, 180_000);
});
