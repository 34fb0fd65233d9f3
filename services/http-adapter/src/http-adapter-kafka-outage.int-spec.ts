import {
  freePort,
  kcatRead,
  type PrivateKafka,
  privateKafka,
  type RegistryProcess,
  runProgram,
  type ServiceProcess,
  startRegistryProcess,
  startService,
  uniqueId,
  untilPasses,
} from '@tessera/testing';

/*
 * Kafka goes away under the HTTP adapter and comes back: acknowledged messages (events, QoS 1)
 * get 503 instead of a false 202, readiness reports it, and both recover without a restart. The
 * broker is a private one of this test (infra.sh stop/start keep its port and data).
 */

describe('HTTP adapter during a Kafka outage', () => {
  let kafka: PrivateKafka;
  let registry: RegistryProcess;
  let adapter: ServiceProcess;
  let httpUrl = '';
  let healthUrl = '';
  const tenant = uniqueId('outage');

  const send = async (endpoint: string, payload: string, qos = '0'): Promise<number> => {
    const out = await runProgram('curl', [
      '-s',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      '--max-time',
      '20',
      '-u',
      `d1@${tenant}:pw`,
      '-H',
      'content-type: text/plain',
      '-H',
      `QoS-Level: ${qos}`,
      '--data-binary',
      payload,
      `${httpUrl}/${endpoint}`,
    ]);
    return Number(out.stdout);
  };
  const readiness = async (): Promise<number> => (await fetch(`${healthUrl}/readiness`)).status;

  beforeAll(async () => {
    kafka = await privateKafka();
    registry = await startRegistryProcess({ kafkaBrokers: kafka.brokers });
    const [port, healthPort] = await Promise.all([freePort(), freePort()]);
    adapter = await startService(
      'http-adapter',
      {
        REGISTRY_AMQP_URL: registry.amqpUrl,
        KAFKA_BROKERS: kafka.brokers.join(','),
        DOWNSTREAM_TIMEOUT_MS: '3000',
        HTTP_ADAPTER_HOST: '127.0.0.1',
        HTTP_ADAPTER_PORT: String(port),
        HEALTH_HOST: '127.0.0.1',
        HEALTH_PORT: String(healthPort),
      },
      { ready: /listening on http:\/\/.*\(devices, HTTP\)/ },
    );
    httpUrl = `http://127.0.0.1:${String(port)}`;
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

  it('answers 503 while Kafka is down and 202 again once it is back', async () => {
    expect(await send('event', 'before')).toBe(202);
    expect(await readiness()).toBe(200);

    await kafka.stop();
    expect(await send('event', 'during')).toBe(503);
    expect(await send('telemetry', 'during-qos1', '1')).toBe(503);
    await untilPasses(async () => {
      expect(await readiness()).toBe(503);
    }, 10_000);

    await kafka.start();
    await untilPasses(
      async () => {
        expect(await send('event', 'after')).toBe(202);
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
