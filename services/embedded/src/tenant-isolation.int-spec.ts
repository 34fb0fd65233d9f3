import { X509Certificate } from 'node:crypto';

import {
  type AmqpApiReply,
  awaitRecord,
  curl,
  freePort,
  infraEnv,
  kcatRead,
  mosquittoPub,
  type MqttIdentity,
  type ProgramResult,
  protonRequests,
  type RegistryProcess,
  type ServiceProcess,
  startRegistryProcess,
  startService,
  type TestCertificate,
  TestPki,
  uniqueId,
} from '@tessera/testing';

/*
 * Tenant isolation on the device side (issue 9), end to end: the registry process, the HTTP and the
 * MQTT adapter as processes of their own, on PostgreSQL and Kafka. Devices are curl and
 * mosquitto_pub (passwords and client certificates over TLS), the backend is kcat, and the
 * registry's AMQP APIs are asked with Qpid Proton. Every refusal is checked next to the same
 * client succeeding, and "nothing reached tenant B" is only concluded once B's own message did.
 *
 * Two tenants A and B hold the same device ids (`dev`, `gw`, `edge` behind `gw`), the same
 * password auth-ids with different passwords, and the same certificate subject under their own CAs.
 */

const { kafkaBrokers, amqpUrl } = infraEnv();

const SUBJECT = '/O=Tessera Isolation/CN=same-subject';
const AUTH_ID = 'CN=same-subject,O=Tessera Isolation';

describe('Tenant isolation of devices, gateways, certificates and the registry APIs', () => {
  let registry: RegistryProcess;
  let httpAdapter: ServiceProcess;
  let mqttAdapter: ServiceProcess;
  let httpUrl = '';
  let httpsUrl = '';
  let mqttPort = 0;
  let mqttsPort = 0;
  const pki = new TestPki();
  let serverCert: TestCertificate;
  let caA: TestCertificate;
  let caB: TestCertificate;
  let certA: TestCertificate;
  let certB: TestCertificate;
  /** Signed by a CA with B's CA's subject DN and a key of its own. */
  let forged: TestCertificate;
  /** A's second CA, which auto-provisions the devices of its certificates. */
  let caAutoA: TestCertificate;
  const a = uniqueId('isoa');
  const b = uniqueId('isob');
  const caDn = (tenant: string): string => `/O=Tessera Isolation/CN=Devices of ${tenant}`;

  async function manage(method: string, path: string, body?: unknown): Promise<void> {
    const reply = await registry.manage(method, path, body);
    if (reply.status >= 300) {
      throw new Error(`${method} ${path}: ${String(reply.status)} ${JSON.stringify(reply.body)}`);
    }
  }
  async function device(
    tenant: string,
    id: string,
    body: unknown = {},
    password?: string,
  ): Promise<void> {
    await manage('POST', `/v1/devices/${tenant}/${id}`, body);
    if (password !== undefined) {
      await manage('PUT', `/v1/credentials/${tenant}/${id}`, [
        { type: 'hashed-password', 'auth-id': id, secrets: [{ 'pwd-plain': password }] },
      ]);
    }
  }

  /** curl with Basic credentials; `path` names the tenant and device for PUT. */
  async function http(
    user: string,
    password: string,
    method: string,
    path: string,
    payload: string,
  ) {
    return (
      await curl([
        '-u',
        `${user}:${password}`,
        '-X',
        method,
        '-H',
        'content-type: text/plain',
        '--data-binary',
        payload,
        `${httpUrl}${path}`,
      ])
    ).status;
  }
  /** curl over TLS with a client certificate. */
  async function https(cert: TestCertificate, method: string, path: string, payload: string) {
    return (
      await curl([
        '--cacert',
        serverCert.certFile,
        '--cert',
        cert.certFile,
        '--key',
        cert.keyFile,
        '-X',
        method,
        '-H',
        'content-type: text/plain',
        '--data-binary',
        payload,
        `${httpsUrl}${path}`,
      ])
    ).status;
  }
  const user = (username: string, password: string): MqttIdentity => ({ username, password });
  const pub = (identity: MqttIdentity, topic: string, message: string, extra: string[] = []) =>
    mosquittoPub('username' in identity ? mqttPort : mqttsPort, identity, topic, message, extra);
  const withCert = (cert: TestCertificate): MqttIdentity => ({
    certFile: cert.certFile,
    keyFile: cert.keyFile,
    caFile: serverCert.certFile,
  });

  /**
   * mosquitto_pub was let in (CONNACK 0) and sent the PUBLISH, and the adapter closed the
   * connection instead of acknowledging it; an MQTT 5 client is told "not authorized" (0x87).
   */
  function expectDroppedAfterPublish(result: ProgramResult, mqtt5 = false): void {
    expect(result.code).not.toBe(0);
    expect(result.stdout).toMatch(/received CONNACK \(0\)/);
    expect(result.stdout).toMatch(/sending PUBLISH/);
    expect(result.stdout).not.toMatch(/received PUBACK/);
    if (mqtt5) expect(result.stdout).toMatch(/Received DISCONNECT \(135\)/);
  }
  /** The CONNACK return code mosquitto_pub received (`undefined` if none). */
  const connackOf = (result: ProgramResult): string | undefined =>
    /received CONNACK \((\d+)\)/.exec(result.stdout)?.[1];

  /** The payloads on a tenant's telemetry and event topics. */
  async function payloadsOf(tenant: string): Promise<(string | null)[]> {
    const [telemetry, events] = await Promise.all([
      kcatRead(kafkaBrokers, `hono.telemetry.${tenant}`),
      kcatRead(kafkaBrokers, `hono.event.${tenant}`),
    ]);
    return [...telemetry, ...events].map((r) => r.payload);
  }

  beforeAll(async () => {
    [serverCert, caA, caB, caAutoA] = await Promise.all([
      pki.selfSigned('server', '/CN=localhost', { server: true }),
      pki.selfSigned('ca-a', caDn(a)),
      pki.selfSigned('ca-b', caDn(b)),
      pki.selfSigned('ca-auto-a', `/O=Tessera Isolation/CN=New devices of ${a}`),
    ]);
    const forger = await pki.selfSigned('forged-ca-b', caDn(b));
    [certA, certB, forged] = await Promise.all([
      pki.issue(caA, 'device-a', SUBJECT),
      pki.issue(caB, 'device-b', SUBJECT),
      pki.issue(forger, 'forged', SUBJECT),
    ]);
    registry = await startRegistryProcess();
    const [httpPort, httpsPort, health1, health2] = await Promise.all([
      freePort(),
      freePort(),
      freePort(),
      freePort(),
    ]);
    [mqttPort, mqttsPort] = await Promise.all([freePort(), freePort()]);
    [httpAdapter, mqttAdapter] = await Promise.all([
      startService(
        'http-adapter',
        {
          REGISTRY_AMQP_URL: registry.amqpUrl,
          KAFKA_BROKERS: kafkaBrokers.join(','),
          DOWNSTREAM_AMQP_URL: amqpUrl,
          HTTP_ADAPTER_HOST: '127.0.0.1',
          HTTP_ADAPTER_PORT: String(httpPort),
          HTTP_ADAPTER_TLS_PORT: String(httpsPort),
          HTTP_ADAPTER_TLS_KEY_FILE: serverCert.keyFile,
          HTTP_ADAPTER_TLS_CERT_FILE: serverCert.certFile,
          HEALTH_HOST: '127.0.0.1',
          HEALTH_PORT: String(health1),
        },
        { ready: /listening on https:\/\/.*\(devices, HTTPS\)/ },
      ),
      startService(
        'mqtt-adapter',
        {
          REGISTRY_AMQP_URL: registry.amqpUrl,
          KAFKA_BROKERS: kafkaBrokers.join(','),
          DOWNSTREAM_AMQP_URL: amqpUrl,
          MQTT_ADAPTER_HOST: '127.0.0.1',
          MQTT_ADAPTER_PORT: String(mqttPort),
          MQTT_ADAPTER_TLS_PORT: String(mqttsPort),
          MQTT_ADAPTER_TLS_KEY_FILE: serverCert.keyFile,
          MQTT_ADAPTER_TLS_CERT_FILE: serverCert.certFile,
          HEALTH_HOST: '127.0.0.1',
          HEALTH_PORT: String(health2),
        },
        { ready: /listening on mqtts:\/\/.*\(devices/ },
      ),
    ]);
    httpUrl = `http://127.0.0.1:${String(httpPort)}`;
    httpsUrl = `https://127.0.0.1:${String(httpsPort)}`;

    for (const [tenant, cas, prefix] of [
      [
        a,
        [{ cert: caA.derBase64 }, { cert: caAutoA.derBase64, 'auto-provisioning-enabled': true }],
        'a',
      ],
      [b, [{ cert: caB.derBase64 }], 'b'],
    ] as const) {
      await manage('POST', `/v1/tenants/${tenant}`, { 'trusted-ca': cas });
      await device(tenant, 'dev', {}, `${prefix}-dev-pw`);
      await device(tenant, 'gw', {}, `${prefix}-gw-pw`);
      await device(tenant, 'edge', { via: ['gw'] });
      await device(tenant, `cert-dev-${prefix}`);
      await manage('PUT', `/v1/credentials/${tenant}/cert-dev-${prefix}`, [
        { type: 'x509-cert', 'auth-id': AUTH_ID, secrets: [{}] },
      ]);
    }
    // Only in B: an edge device of B's `gw`, and password credentials.
    await device(b, 'b-edge', { via: ['gw'] });
    await device(b, 'b-only', {}, 'b-only-pw');
  }, 180_000);

  afterAll(async () => {
    await Promise.all([httpAdapter.stop(), mqttAdapter.stop()]);
    await registry.process.stop();
  });

  it('a device of A cannot publish as a device of B (curl, mosquitto_pub; kcat)', async () => {
    // The same client and credentials work for A's own device.
    expect(await http(`dev@${a}`, 'a-dev-pw', 'PUT', `/telemetry/${a}/dev`, 'a-own-http')).toBe(
      202,
    );
    expect((await pub(user(`dev@${a}`, 'a-dev-pw'), `t/${a}/dev`, 'a-own-mqtt')).code).toBe(0);
    await awaitRecord(kafkaBrokers, `hono.telemetry.${a}`, 'a-own-http');
    await awaitRecord(kafkaBrokers, `hono.telemetry.${a}`, 'a-own-mqtt');

    // Naming B in the request: 403 (the device is no gateway of B).
    expect(await http(`dev@${a}`, 'a-dev-pw', 'PUT', `/telemetry/${b}/dev`, 'x-dev-http-t')).toBe(
      403,
    );
    expect(await http(`dev@${a}`, 'a-dev-pw', 'PUT', `/event/${b}/dev`, 'x-dev-http-e')).toBe(403);
    // Claiming to be B's device with A's password: 401.
    expect(await http(`dev@${b}`, 'a-dev-pw', 'POST', '/telemetry', 'x-dev-http-user')).toBe(401);
    // MQTT: connected as A's device, a publish for B closes the connection without PUBACK.
    expectDroppedAfterPublish(await pub(user(`dev@${a}`, 'a-dev-pw'), `t/${b}/dev`, 'x-mqtt-t'));
    expectDroppedAfterPublish(
      await pub(user(`dev@${a}`, 'a-dev-pw'), `event/${b}/dev`, 'x-mqtt-e', ['-V', 'mqttv5']),
      true,
    );
    // … and as B's device with A's password, CONNACK 0x04 "bad user name or password".
    const mqttUser = await pub(user(`dev@${b}`, 'a-dev-pw'), 't', 'x-mqtt-user');
    expect(connackOf(mqttUser)).toBe('4');
    expect(mqttUser.stderr).toMatch(/bad user name or password/i);

    // B's device itself gets through, so B's topics are read after anything A could have sent.
    expect(await http(`dev@${b}`, 'b-dev-pw', 'PUT', `/telemetry/${b}/dev`, 'b-own-http')).toBe(
      202,
    );
    expect((await pub(user(`dev@${b}`, 'b-dev-pw'), 'e', 'b-own-mqtt')).code).toBe(0);
    const fromB = await awaitRecord(kafkaBrokers, `hono.telemetry.${b}`, 'b-own-http');
    expect(fromB.headers).toMatchObject({ device_id: 'dev', tenant_id: b });
    await awaitRecord(kafkaBrokers, `hono.event.${b}`, 'b-own-mqtt');
    const [onB, onA] = await Promise.all([payloadsOf(b), payloadsOf(a)]);
    expect(onB.filter((p) => p?.startsWith('x-'))).toEqual([]);
    expect(onA.filter((p) => p?.startsWith('x-'))).toEqual([]);
  });

  it('a gateway of A cannot act for devices of B, only for its own (curl, mosquitto_pub; kcat)', async () => {
    const gwA = user(`gw@${a}`, 'a-gw-pw');
    // Positive control: A's gateway for A's edge device.
    expect(await http(`gw@${a}`, 'a-gw-pw', 'PUT', `/telemetry/${a}/edge`, 'a-gw-http')).toBe(202);
    expect((await pub(gwA, `t/${a}/edge`, 'a-gw-mqtt')).code).toBe(0);
    expect((await awaitRecord(kafkaBrokers, `hono.telemetry.${a}`, 'a-gw-http')).key).toBe('edge');
    expect((await awaitRecord(kafkaBrokers, `hono.telemetry.${a}`, 'a-gw-mqtt')).key).toBe('edge');

    // B's `edge` names a gateway `gw` too, but B's, not A's; `b-edge` exists in B only.
    for (const target of ['edge', 'b-edge']) {
      expect(
        await http(`gw@${a}`, 'a-gw-pw', 'PUT', `/telemetry/${b}/${target}`, `y-http-t-${target}`),
      ).toBe(403);
      expect(
        await http(`gw@${a}`, 'a-gw-pw', 'PUT', `/event/${b}/${target}`, `y-http-e-${target}`),
      ).toBe(403);
      expectDroppedAfterPublish(await pub(gwA, `t/${b}/${target}`, `y-mqtt-t-${target}`));
      expectDroppedAfterPublish(
        await pub(gwA, `e/${b}/${target}`, `y-mqtt-e-${target}`, ['-V', 'mqttv5']),
        true,
      );
    }
    // A's gateway cannot use B's gateway's name either.
    expect(await http(`gw@${b}`, 'a-gw-pw', 'PUT', `/telemetry/${b}/edge`, 'y-http-user')).toBe(
      401,
    );

    // B's own gateway acts for both of B's edge devices.
    expect(await http(`gw@${b}`, 'b-gw-pw', 'PUT', `/telemetry/${b}/edge`, 'b-gw-http')).toBe(202);
    expect((await pub(user(`gw@${b}`, 'b-gw-pw'), `t/${b}/b-edge`, 'b-gw-mqtt')).code).toBe(0);
    await awaitRecord(kafkaBrokers, `hono.telemetry.${b}`, 'b-gw-http');
    expect((await awaitRecord(kafkaBrokers, `hono.telemetry.${b}`, 'b-gw-mqtt')).key).toBe(
      'b-edge',
    );
    const [onB, onA] = await Promise.all([payloadsOf(b), payloadsOf(a)]);
    expect(onB.filter((p) => p?.startsWith('y-'))).toEqual([]);
    expect(onA.filter((p) => p?.startsWith('y-'))).toEqual([]);
  });

  it('a certificate of A’s CA authenticates only as A’s device; a forged B CA gets nowhere (curl, mosquitto_pub over TLS)', async () => {
    // A's certificate: A's device, whatever B holds under the same subject.
    expect(await https(certA, 'POST', '/telemetry', 'a-cert-http')).toBe(202);
    expect((await pub(withCert(certA), 'telemetry', 'a-cert-mqtt')).code).toBe(0);
    for (const payload of ['a-cert-http', 'a-cert-mqtt']) {
      const record = await awaitRecord(kafkaBrokers, `hono.telemetry.${a}`, payload);
      expect(record.key).toBe('cert-dev-a');
      expect(record.headers['tenant_id']).toBe(a);
    }
    // … and it cannot name B's device.
    expect(await https(certA, 'PUT', `/telemetry/${b}/cert-dev-b`, 'z-cert-a-http')).toBe(403);
    expectDroppedAfterPublish(await pub(withCert(certA), `t/${b}/cert-dev-b`, 'z-cert-a-mqtt'));

    // Issued by a CA with B's CA's subject DN but another key: 401, CONNACK refused.
    expect(await https(forged, 'POST', '/telemetry', 'z-forged-http')).toBe(401);
    expect(await https(forged, 'PUT', `/telemetry/${b}/cert-dev-b`, 'z-forged-http-put')).toBe(401);
    const forgedMqtt = await pub(withCert(forged), 'telemetry', 'z-forged-mqtt');
    expect(connackOf(forgedMqtt)).toBe('4');
    expect(forgedMqtt.stderr).toMatch(/bad user name or password/i);
    const forgedMqtt5 = await pub(withCert(forged), 'telemetry', 'z-forged-mqtt5', [
      '-V',
      'mqttv5',
    ]);
    expect(connackOf(forgedMqtt5)).toBe('134'); // 0x86 bad user name or password

    // B's genuine certificate authenticates as B's device.
    expect(await https(certB, 'POST', '/telemetry', 'b-cert-http')).toBe(202);
    expect((await pub(withCert(certB), 'telemetry', 'b-cert-mqtt')).code).toBe(0);
    for (const payload of ['b-cert-http', 'b-cert-mqtt']) {
      const record = await awaitRecord(kafkaBrokers, `hono.telemetry.${b}`, payload);
      expect(record.key).toBe('cert-dev-b');
    }
    const [onB, onA] = await Promise.all([payloadsOf(b), payloadsOf(a)]);
    expect(onB.filter((p) => p?.startsWith('z-') || p?.startsWith('a-'))).toEqual([]);
    expect(onA.filter((p) => p?.startsWith('z-') || p?.startsWith('b-'))).toEqual([]);
  });

  it('no other tenant can register a trusted CA with A’s CA subject DN (management API)', async () => {
    const impostor = await pki.selfSigned('impostor-ca-a', caDn(a));
    const impostorKey = new X509Certificate(impostor.certPem).publicKey
      .export({ type: 'spki', format: 'der' })
      .toString('base64');
    const spelledOtherwise = `cn=Devices of ${a}, o=Tessera Isolation`;
    const c = uniqueId('isoc');
    const attempts: [string, string, unknown][] = [
      [
        'PUT',
        `/v1/tenants/${b}`,
        { 'trusted-ca': [{ cert: caB.derBase64 }, { cert: impostor.derBase64 }] },
      ],
      ['POST', `/v1/tenants/${c}`, { 'trusted-ca': [{ cert: impostor.derBase64 }] }],
      [
        'POST',
        `/v1/tenants/${c}`,
        {
          'trusted-ca': [
            {
              'subject-dn': spelledOtherwise,
              'public-key': impostorKey,
              algorithm: 'EC',
              'not-before': '2020-01-01T00:00:00Z',
              'not-after': '2099-01-01T00:00:00Z',
            },
          ],
        },
      ],
      [
        'POST',
        `/v1/tenants/${c}`,
        { 'trust-anchor-group': 'shared', 'trusted-ca': [{ cert: impostor.derBase64 }] },
      ],
    ];
    for (const [method, path, body] of attempts) {
      const reply = await registry.manage(method, path, body);
      expect({ method, path, status: reply.status }).toEqual({ method, path, status: 409 });
    }
    // B kept its CA alone; a CA of a fresh DN is accepted.
    const kept = await registry.manage('GET', `/v1/tenants/${b}`);
    expect(
      (kept.body as { 'trusted-ca': { 'subject-dn': string }[] })['trusted-ca'].map(
        (ca) => ca['subject-dn'],
      ),
    ).toEqual([`CN=Devices of ${b},O=Tessera Isolation`]);
    const fresh = await pki.selfSigned('fresh-ca', caDn(c));
    expect(
      (
        await registry.manage('POST', `/v1/tenants/${c}`, {
          'trusted-ca': [{ cert: fresh.derBase64 }],
        })
      ).status,
    ).toBe(201);
    // A's certificates still find A alone.
    expect(await https(certA, 'POST', '/telemetry', 'a-cert-after')).toBe(202);
    expect((await awaitRecord(kafkaBrokers, `hono.telemetry.${a}`, 'a-cert-after')).key).toBe(
      'cert-dev-a',
    );
  });

  it('credentials are per tenant: the same auth-id with the other tenant’s password fails (curl, mosquitto_pub)', async () => {
    // Each password works in its own tenant first (and is then remembered as verified).
    expect(await http(`dev@${a}`, 'a-dev-pw', 'POST', '/telemetry', 'a-pw-http')).toBe(202);
    expect(await http(`dev@${b}`, 'b-dev-pw', 'POST', '/telemetry', 'b-pw-http')).toBe(202);
    expect((await pub(user(`dev@${a}`, 'a-dev-pw'), 't', 'a-pw-mqtt')).code).toBe(0);
    expect((await pub(user(`dev@${b}`, 'b-dev-pw'), 't', 'b-pw-mqtt')).code).toBe(0);
    // Crossed over: 401 and CONNACK "bad user name or password", for devices and gateways.
    for (const [username, password] of [
      [`dev@${a}`, 'b-dev-pw'],
      [`dev@${b}`, 'a-dev-pw'],
      [`gw@${a}`, 'b-gw-pw'],
      [`b-only@${a}`, 'b-only-pw'],
    ] as const) {
      expect({
        username,
        password,
        status: await http(username, password, 'POST', '/telemetry', 'w-http'),
      }).toEqual({ username, password, status: 401 });
      const mqtt = await pub(user(username, password), 't', 'w-mqtt');
      expect({ username, password, connack: connackOf(mqtt) }).toEqual({
        username,
        password,
        connack: '4',
      });
    }
    for (const [tenant, payload] of [
      [a, 'a-pw-http'],
      [b, 'b-pw-http'],
      [a, 'a-pw-mqtt'],
      [b, 'b-pw-mqtt'],
    ] as const) {
      expect((await awaitRecord(kafkaBrokers, `hono.telemetry.${tenant}`, payload)).key).toBe(
        'dev',
      );
    }
    const [onB, onA] = await Promise.all([payloadsOf(b), payloadsOf(a)]);
    expect([...onA, ...onB].filter((p) => p?.startsWith('w-'))).toEqual([]);
  });

  it('the registry’s AMQP Credentials and Registration APIs answer per tenant (Qpid Proton)', async () => {
    const getCredentials = (
      tenant: string,
      type: string,
      authId: string,
      certificate?: TestCertificate,
    ) => ({
      address: `credentials/${tenant}`,
      subject: 'get',
      body: {
        type,
        'auth-id': authId,
        ...(certificate !== undefined && { 'client-certificate': certificate.derBase64 }),
      },
    });
    // A auto-provisions devices for certificates of its second CA, not for B's certificates.
    const [newOfA, strangerOfB] = await Promise.all([
      pki.issue(caAutoA, 'new-of-a', '/O=Tessera Isolation/CN=new-of-a'),
      pki.issue(caB, 'stranger-of-b', '/O=Tessera Isolation/CN=stranger-of-b'),
    ]);
    const assert = (tenant: string, deviceId: string, gatewayId?: string) => ({
      address: `registration/${tenant}`,
      subject: 'assert',
      properties: {
        device_id: deviceId,
        ...(gatewayId !== undefined && { gateway_id: gatewayId }),
      },
    });
    const replies = await protonRequests(registry.amqpUrl, [
      getCredentials(b, 'hashed-password', 'b-only'),
      getCredentials(a, 'hashed-password', 'b-only'),
      getCredentials(a, 'x509-cert', AUTH_ID),
      getCredentials(b, 'x509-cert', AUTH_ID),
      assert(b, 'b-edge'),
      assert(a, 'b-edge'),
      assert(b, 'b-edge', 'gw'),
      assert(a, 'b-edge', 'gw'),
      assert(a, 'edge', 'gw'),
      // Asked twice: a device provisioned by the first would be found by the second.
      getCredentials(a, 'x509-cert', 'CN=stranger-of-b,O=Tessera Isolation', strangerOfB),
      getCredentials(a, 'x509-cert', 'CN=stranger-of-b,O=Tessera Isolation', strangerOfB),
      getCredentials(a, 'x509-cert', 'CN=new-of-a,O=Tessera Isolation', newOfA),
      getCredentials(a, 'x509-cert', 'CN=new-of-a,O=Tessera Isolation', newOfA),
    ]);
    const deviceIdOf = (reply: AmqpApiReply | undefined): unknown =>
      (reply?.body as Record<string, unknown> | null | undefined)?.['device-id'];
    const provisioned = deviceIdOf(replies[12]);
    expect(provisioned).toMatch(/^[0-9a-f-]{36}$/);
    expect(replies.map((r) => [r.status, r.properties['tenant_id'], deviceIdOf(r)])).toEqual([
      [200, b, 'b-only'],
      [404, a, undefined],
      [200, a, 'cert-dev-a'],
      [200, b, 'cert-dev-b'],
      [200, b, 'b-edge'],
      [404, a, undefined],
      [200, b, 'b-edge'],
      [404, a, undefined],
      [200, a, 'edge'],
      [404, a, undefined],
      [404, a, undefined],
      [201, a, provisioned],
      [200, a, provisioned],
    ]);
  });
});
