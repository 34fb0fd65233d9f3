import { spawn } from 'node:child_process';
import { connect } from 'node:net';

import {
  freePort,
  infraEnv,
  kcatRead,
  type KcatRecord,
  mosquittoPub,
  type ProgramResult,
  type RegistryProcess,
  runProgram,
  type ServiceProcess,
  startRegistryProcess,
  startService,
  type TestCertificate,
  TestPki,
  uniqueId,
  untilPasses,
} from '@tessera/testing';

/*
 * The MQTT adapter end to end: its own process against the registry process, PostgreSQL and Kafka;
 * devices are mosquitto_pub (plain, and TLS with a client certificate), the backend is kcat.
 */

const { kafkaBrokers, amqpUrl } = infraEnv();

describe('MQTT adapter', () => {
  let registry: RegistryProcess;
  let adapter: ServiceProcess;
  let port = 0;
  let tlsPort = 0;
  const pki = new TestPki();
  let serverCert: TestCertificate;
  let ca: TestCertificate;
  let deviceCert: TestCertificate;
  const tenant = uniqueId('mqtt');
  const closedTenant = uniqueId('mqttoff');

  async function manage(method: string, path: string, body?: unknown): Promise<void> {
    const reply = await registry.manage(method, path, body);
    if (reply.status >= 300) {
      throw new Error(`${method} ${path}: ${String(reply.status)} ${JSON.stringify(reply.body)}`);
    }
  }
  async function device(
    t: string,
    id: string,
    body: unknown = {},
    password?: string,
  ): Promise<void> {
    await manage('POST', `/v1/devices/${t}/${id}`, body);
    if (password !== undefined) {
      await manage('PUT', `/v1/credentials/${t}/${id}`, [
        { type: 'hashed-password', 'auth-id': id, secrets: [{ 'pwd-plain': password }] },
      ]);
    }
  }

  /** mosquitto_pub as a device: one message, QoS 1 unless told otherwise, MQTT 3.1.1. */
  function pub(
    user: string,
    password: string,
    topic: string,
    message: string,
    extra: readonly string[] = [],
  ): Promise<ProgramResult> {
    return mosquittoPub(port, { username: user, password }, topic, message, extra);
  }

  async function recordWith(topic: string, payload: string): Promise<KcatRecord> {
    return untilPasses(async () => {
      const found = (await kcatRead(kafkaBrokers, topic)).find((r) => r.payload === payload);
      if (found === undefined) throw new Error(`no record "${payload}" on ${topic} yet`);
      return found;
    }, 20_000);
  }

  beforeAll(async () => {
    [ca, serverCert] = await Promise.all([
      pki.selfSigned('ca', '/O=Tessera Test/CN=MQTT Device CA'),
      pki.selfSigned('server', '/CN=localhost', { server: true }),
    ]);
    deviceCert = await pki.issue(ca, 'device', '/O=Tessera Test/CN=mqtt-cert-device');
    registry = await startRegistryProcess();
    [port, tlsPort] = await Promise.all([freePort(), freePort()]);
    adapter = await startService(
      'mqtt-adapter',
      {
        REGISTRY_AMQP_URL: registry.amqpUrl,
        KAFKA_BROKERS: kafkaBrokers.join(','),
        DOWNSTREAM_AMQP_URL: amqpUrl,
        MQTT_ADAPTER_HOST: '127.0.0.1',
        MQTT_ADAPTER_PORT: String(port),
        MQTT_ADAPTER_TLS_PORT: String(tlsPort),
        MQTT_ADAPTER_TLS_KEY_FILE: serverCert.keyFile,
        MQTT_ADAPTER_TLS_CERT_FILE: serverCert.certFile,
        HEALTH_HOST: '127.0.0.1',
        HEALTH_PORT: String(await freePort()),
      },
      { ready: /listening on mqtts:\/\/.*\(devices/ },
    );
    await manage('POST', `/v1/tenants/${tenant}`, { 'trusted-ca': [{ cert: ca.derBase64 }] });
    await device(tenant, 'd1', {}, 'secret-1');
    await device(tenant, 'gw', {}, 'gw-secret');
    await device(tenant, 'edge', { via: ['gw'] });
    await device(tenant, 'stranger');
    await device(tenant, 'off', { enabled: false }, 'off-secret');
    await device(tenant, 'mqtt-cert-device');
    await manage('PUT', `/v1/credentials/${tenant}/mqtt-cert-device`, [
      { type: 'x509-cert', 'auth-id': 'CN=mqtt-cert-device,O=Tessera Test', secrets: [{}] },
    ]);
    await manage('POST', `/v1/tenants/${closedTenant}`, {
      adapters: [{ type: 'hono-mqtt', enabled: false }],
    });
    await device(closedTenant, 'c1', {}, 'c-secret');
  }, 180_000);

  afterAll(async () => {
    await adapter.stop();
    await registry.process.stop();
  });

  it('forwards QoS 1 telemetry to Kafka once acknowledged, with the device id as key and Hono’s headers', async () => {
    const result = await pub(`d1@${tenant}`, 'secret-1', 'telemetry', 'm-qos1');
    expect(result.code).toBe(0);
    const record = await recordWith(`hono.telemetry.${tenant}`, 'm-qos1');
    expect(record.key).toBe('d1');
    expect(record.headers).toMatchObject({
      device_id: 'd1',
      tenant_id: tenant,
      orig_adapter: 'hono-mqtt',
      orig_address: 'telemetry',
      qos: '1',
      'content-type': 'application/octet-stream',
    });
  });

  it('forwards QoS 0 telemetry on the short topic, and events with a property bag (MQTT 5 too)', async () => {
    expect((await pub(`d1@${tenant}`, 'secret-1', 't', 'm-qos0', ['-q', '0'])).code).toBe(0);
    expect((await recordWith(`hono.telemetry.${tenant}`, 'm-qos0')).headers['qos']).toBe('0');
    const event = await pub(
      `d1@${tenant}`,
      'secret-1',
      'e/?content-type=text%2Fplain&hono-ttl=30',
      'm-event',
      ['-V', 'mqttv5'],
    );
    expect(event.code).toBe(0);
    expect((await recordWith(`hono.event.${tenant}`, 'm-event')).headers).toMatchObject({
      qos: '1',
      'content-type': 'text/plain',
      ttl: '30000',
    });
  });

  it('refuses an event with QoS 0 without forwarding it', async () => {
    await pub(`d1@${tenant}`, 'secret-1', 'event', 'm-event-q0', ['-q', '0']);
    expect((await pub(`d1@${tenant}`, 'secret-1', 'event', 'm-event-after')).code).toBe(0);
    await recordWith(`hono.event.${tenant}`, 'm-event-after');
    const payloads = (await kcatRead(kafkaBrokers, `hono.event.${tenant}`)).map((r) => r.payload);
    expect(payloads).not.toContain('m-event-q0');
  });

  it('lets a gateway publish for its edge device, and disconnects it without PUBACK for another', async () => {
    expect((await pub(`gw@${tenant}`, 'gw-secret', `t/${tenant}/edge`, 'm-edge')).code).toBe(0);
    const record = await recordWith(`hono.telemetry.${tenant}`, 'm-edge');
    expect(record.key).toBe('edge');
    expect((await pub(`gw@${tenant}`, 'gw-secret', 't//edge', 'm-edge-2')).code).toBe(0);
    const refused = await pub(`gw@${tenant}`, 'gw-secret', `t/${tenant}/stranger`, 'm-stranger');
    expect(refused.code).not.toBe(0);
  });

  it('refuses CONNECT with Hono’s return codes', async () => {
    const badPassword = await pub(`d1@${tenant}`, 'wrong', 'telemetry', 'x');
    expect(badPassword.code).not.toBe(0);
    expect(badPassword.stderr).toMatch(/bad user name or password/i);
    const unknownTenant = await pub(`d1@${uniqueId('none')}`, 'secret-1', 'telemetry', 'x');
    expect(unknownTenant.stderr).toMatch(/bad user name or password/i);
    const disabled = await pub(`off@${tenant}`, 'off-secret', 'telemetry', 'x');
    expect(disabled.stderr).toMatch(/bad user name or password/i);
    const adapterOff = await pub(`c1@${closedTenant}`, 'c-secret', 'telemetry', 'x');
    expect(adapterOff.stderr).toMatch(/not authori[sz]ed/i);
  });

  it('authenticates a client certificate of the tenant’s CA over TLS (mosquitto_pub)', async () => {
    const result = await runProgram(
      'mosquitto_pub',
      [
        '-h',
        '127.0.0.1',
        '-p',
        String(tlsPort),
        '--cafile',
        serverCert.certFile,
        '--cert',
        deviceCert.certFile,
        '--key',
        deviceCert.keyFile,
        '-t',
        'event',
        '-m',
        'm-cert',
        '-q',
        '1',
      ],
      { timeoutMs: 20_000 },
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect((await recordWith(`hono.event.${tenant}`, 'm-cert')).key).toBe('mqtt-cert-device');
    const otherCa = await pki.selfSigned('other-ca', '/O=Tessera Test/CN=MQTT Device CA');
    const foreign = await pki.issue(otherCa, 'foreign', '/O=Tessera Test/CN=mqtt-cert-device');
    const refused = await runProgram(
      'mosquitto_pub',
      [
        '-h',
        '127.0.0.1',
        '-p',
        String(tlsPort),
        '--cafile',
        serverCert.certFile,
        '--cert',
        foreign.certFile,
        '--key',
        foreign.keyFile,
        '-t',
        'event',
        '-m',
        'x',
        '-q',
        '1',
      ],
      { timeoutMs: 20_000 },
    );
    expect(refused.stderr).toMatch(/bad user name or password/i);
  });

  it('closes a connection that sends garbage or an oversized payload, and keeps serving the others', async () => {
    // A device connected before and publishing after the garbage: mosquitto_pub reading lines.
    const healthy = spawn(
      'mosquitto_pub',
      [
        '-h',
        '127.0.0.1',
        '-p',
        String(port),
        '-u',
        `d1@${tenant}`,
        '-P',
        'secret-1',
        '-t',
        'telemetry',
        '-q',
        '1',
        '-l',
      ],
      { stdio: ['pipe', 'ignore', 'pipe'] },
    );
    const exited = new Promise<number | null>((resolve) => healthy.once('exit', resolve));
    healthy.stdin.write('m-before-garbage\n');
    await recordWith(`hono.telemetry.${tenant}`, 'm-before-garbage');

    for (const garbage of [
      Buffer.from([0x10, 0xff, 0xff, 0xff, 0xff, 0x7f]), // malformed remaining length
      Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), // not MQTT at all
      Buffer.from([0x10, 0x0c, 0x00, 0x04, 0x4d, 0x51]), // truncated CONNECT, then silence
    ]) {
      const closed = await new Promise<boolean>((resolve) => {
        const socket = connect({ host: '127.0.0.1', port }, () => {
          socket.write(garbage);
        });
        socket.on('error', () => undefined);
        socket.setTimeout(15_000, () => {
          socket.destroy();
          resolve(false);
        });
        socket.once('close', () => {
          resolve(true);
        });
      });
      expect(closed).toBe(true);
    }

    const oversized = await pub(`d1@${tenant}`, 'secret-1', 'telemetry', 'x'.repeat(5_000));
    expect(oversized.code).not.toBe(0);

    healthy.stdin.write('m-after-garbage\n');
    await recordWith(`hono.telemetry.${tenant}`, 'm-after-garbage');
    healthy.stdin.end();
    expect(await exited).toBe(0);
  }, 60_000);

  it('auto-provisions a device whose certificate comes from a CA that allows it, and announces it', async () => {
    const autoTenant = uniqueId('mqttauto');
    const autoCa = await pki.selfSigned('auto-ca', '/O=Tessera Test/CN=MQTT Auto CA');
    await manage('POST', `/v1/tenants/${autoTenant}`, {
      'trusted-ca': [{ cert: autoCa.derBase64, 'auto-provisioning-enabled': true }],
    });
    const cert = await pki.issue(autoCa, 'auto-device', '/O=Tessera Test/CN=brand-new');
    const result = await runProgram(
      'mosquitto_pub',
      [
        '-h',
        '127.0.0.1',
        '-p',
        String(tlsPort),
        '--cafile',
        serverCert.certFile,
        '--cert',
        cert.certFile,
        '--key',
        cert.keyFile,
        '-t',
        'telemetry',
        '-m',
        'first-words',
        '-q',
        '1',
      ],
      { timeoutMs: 20_000 },
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const telemetry = await recordWith(`hono.telemetry.${autoTenant}`, 'first-words');
    const deviceId = telemetry.key;
    expect(deviceId).toMatch(/^[0-9a-f-]{36}$/);
    const notification = await untilPasses(async () => {
      const found = (await kcatRead(kafkaBrokers, `hono.event.${autoTenant}`)).find(
        (r) => r.key === deviceId,
      );
      if (found === undefined) throw new Error('no provisioning notification yet');
      return found;
    }, 30_000);
    expect(notification.headers).toMatchObject({
      'content-type': 'application/vnd.eclipse-hono-device-provisioning-notification',
      hono_registration_status: 'NEW',
      device_id: deviceId,
    });
  });
});
