import {
  curl,
  untilPasses,
  freePort,
  infraEnv,
  kcatRead,
  type KcatRecord,
  type RegistryProcess,
  runProgram,
  type ServiceProcess,
  startRegistryProcess,
  startService,
  type TestCertificate,
  TestPki,
  uniqueId,
} from '@tessera/testing';

/*
 * The HTTP adapter end to end, as its users meet it: its own process against the registry process
 * (AMQP) on PostgreSQL, Kafka and an AMQP 1.0 broker; devices are curl, the backend reads Kafka with
 * kcat and the broker with Qpid Proton. Nothing in the path is written by us but the services.
 */

const { kafkaBrokers, amqpUrl } = infraEnv();

describe('HTTP adapter', () => {
  let registry: RegistryProcess;
  let adapter: ServiceProcess;
  let httpUrl = '';
  let httpsUrl = '';
  let healthUrl = '';
  const pki = new TestPki();
  let serverCert: TestCertificate;
  let ca: TestCertificate;
  let deviceCert: TestCertificate;
  const tenant = uniqueId('http');
  const amqpTenant = uniqueId('httpamqp');
  const closedTenant = uniqueId('httpoff');
  const openTenant = uniqueId('httpopen');
  const limitedTenant = uniqueId('httplimit');

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

  const post = (path: string, user: string, password: string, extra: readonly string[] = []) =>
    curl(['-u', `${user}:${password}`, '-X', 'POST', ...extra, `${httpUrl}${path}`]);

  /** The record with this payload, once kcat sees it. */
  async function recordWith(topic: string, payload: string): Promise<KcatRecord> {
    return untilPasses(async () => {
      const found = (await kcatRead(kafkaBrokers, topic)).find((r) => r.payload === payload);
      if (found === undefined) throw new Error(`no record "${payload}" on ${topic} yet`);
      return found;
    }, 20_000);
  }

  beforeAll(async () => {
    [ca, serverCert] = await Promise.all([
      pki.selfSigned('ca', '/O=Tessera Test/CN=Device CA'),
      pki.selfSigned('server', '/CN=localhost', { server: true }),
    ]);
    deviceCert = await pki.issue(ca, 'device', '/O=Tessera Test/CN=cert-device');
    registry = await startRegistryProcess();
    const [port, tlsPort, healthPort] = await Promise.all([freePort(), freePort(), freePort()]);
    adapter = await startService(
      'http-adapter',
      {
        REGISTRY_AMQP_URL: registry.amqpUrl,
        KAFKA_BROKERS: kafkaBrokers.join(','),
        DOWNSTREAM_AMQP_URL: amqpUrl,
        HTTP_ADAPTER_HOST: '127.0.0.1',
        HTTP_ADAPTER_PORT: String(port),
        HTTP_ADAPTER_TLS_PORT: String(tlsPort),
        HTTP_ADAPTER_TLS_KEY_FILE: serverCert.keyFile,
        HTTP_ADAPTER_TLS_CERT_FILE: serverCert.certFile,
        HEALTH_HOST: '127.0.0.1',
        HEALTH_PORT: String(healthPort),
      },
      { ready: /listening on https:\/\/.*\(devices, HTTPS\)/ },
    );
    httpUrl = `http://127.0.0.1:${String(port)}`;
    httpsUrl = `https://127.0.0.1:${String(tlsPort)}`;
    healthUrl = `http://127.0.0.1:${String(healthPort)}`;

    await manage('POST', `/v1/tenants/${tenant}`, {
      defaults: { 'content-type': 'text/plain', ttl: 60, 'app-key': 'tenant-value' },
      'trusted-ca': [{ cert: ca.derBase64 }],
    });
    await device(tenant, 'd1', { defaults: { 'app-key': 'device-value' } }, 'secret-1');
    await device(tenant, 'gw', {}, 'gw-secret');
    await device(tenant, 'edge', { via: ['gw'] });
    await device(tenant, 'stranger');
    await device(tenant, 'off', { enabled: false }, 'off-secret');
    await device(tenant, 'cert-device');
    await manage('PUT', `/v1/credentials/${tenant}/cert-device`, [
      { type: 'x509-cert', 'auth-id': 'CN=cert-device,O=Tessera Test', secrets: [{}] },
    ]);
    await manage('POST', `/v1/tenants/${amqpTenant}`, { ext: { 'messaging-type': 'amqp' } });
    await device(amqpTenant, 'a1', {}, 'a-secret');
    await manage('POST', `/v1/tenants/${closedTenant}`, {
      adapters: [{ type: 'hono-http', enabled: false }],
    });
    await device(closedTenant, 'c1', {}, 'c-secret');
    await manage('POST', `/v1/tenants/${openTenant}`, {
      adapters: [{ type: 'hono-http', enabled: true, 'device-authentication-required': false }],
    });
    await device(openTenant, 'o1');
    await manage('POST', `/v1/tenants/${limitedTenant}`, {
      'resource-limits': {
        'data-volume': { 'effective-since': '2020-01-01T00:00:00Z', 'max-bytes': 10 },
      },
    });
    await device(limitedTenant, 'l1', {}, 'l-secret');
  }, 180_000);

  afterAll(async () => {
    await adapter.stop();
    await registry.process.stop();
  });

  it('is live and ready once the registry and both brokers are reachable', async () => {
    expect((await curl([`${healthUrl}/liveness`])).status).toBe(200);
    await untilPasses(async () => {
      const reply = await curl([`${healthUrl}/readiness`]);
      expect(reply.status).toBe(200);
      expect(JSON.parse(reply.body)).toMatchObject({ status: 'UP' });
    }, 20_000);
  });

  it('forwards telemetry to Kafka with the device id as key and Hono’s headers', async () => {
    const reply = await post('/telemetry', `d1@${tenant}`, 'secret-1', [
      '-H',
      'content-type: application/json',
      '--data-binary',
      '{"temp":21}',
    ]);
    expect(reply.status).toBe(202);
    const record = await recordWith(`hono.telemetry.${tenant}`, '{"temp":21}');
    expect(record.key).toBe('d1');
    expect(record.headers).toMatchObject({
      'content-type': 'application/json',
      device_id: 'd1',
      tenant_id: tenant,
      orig_adapter: 'hono-http',
      orig_address: '/telemetry',
      qos: '0',
      // device defaults win over tenant defaults
      'app-key': 'device-value',
    });
    const created = Number(record.headers['creation-time']);
    expect(Math.abs(Date.now() - created)).toBeLessThan(60_000);
  });

  it('forwards events with QoS 1, the default content type and the ttl default in ms', async () => {
    // curl sends a form content type with --data-binary unless told not to.
    const reply = await post('/event', `d1@${tenant}`, 'secret-1', [
      '-H',
      'content-type:',
      '--data-binary',
      'alarm',
    ]);
    expect(reply.status).toBe(202);
    const record = await recordWith(`hono.event.${tenant}`, 'alarm');
    expect(record.headers).toMatchObject({
      'content-type': 'text/plain',
      qos: '1',
      ttl: '60000',
      device_id: 'd1',
    });
  });

  it('accepts QoS-Level 1 telemetry after the broker acknowledged it, and refuses other levels', async () => {
    const ok = await post('/telemetry', `d1@${tenant}`, 'secret-1', [
      '-H',
      'QoS-Level: 1',
      '-H',
      'content-type: text/plain',
      '--data-binary',
      'qos1-marker',
    ]);
    expect(ok.status).toBe(202);
    expect((await recordWith(`hono.telemetry.${tenant}`, 'qos1-marker')).headers['qos']).toBe('1');
    const bad = await post('/telemetry', `d1@${tenant}`, 'secret-1', [
      '-H',
      'QoS-Level: 2',
      '--data-binary',
      'x',
    ]);
    expect(bad.status).toBe(400);
  });

  it('lets a gateway publish for its edge device and refuses one it is not authorized for', async () => {
    const ok = await curl([
      '-u',
      `gw@${tenant}:gw-secret`,
      '-X',
      'PUT',
      '-H',
      'content-type: text/plain',
      '--data-binary',
      'from-edge',
      `${httpUrl}/telemetry/${tenant}/edge`,
    ]);
    expect(ok.status).toBe(202);
    const found = await recordWith(`hono.telemetry.${tenant}`, 'from-edge');
    expect(found.key).toBe('edge');
    expect(found.headers['device_id']).toBe('edge');
    // The tenant may be left out: `PUT /telemetry//{device}` means the gateway's own tenant.
    const sameTenant = await curl([
      '-u',
      `gw@${tenant}:gw-secret`,
      '-X',
      'PUT',
      '-H',
      'content-type: text/plain',
      '--data-binary',
      'x',
      `${httpUrl}/telemetry//edge`,
    ]);
    expect(sameTenant.status).toBe(202);
    const refused = await curl([
      '-u',
      `gw@${tenant}:gw-secret`,
      '-X',
      'PUT',
      '-H',
      'content-type: text/plain',
      '--data-binary',
      'x',
      `${httpUrl}/telemetry/${tenant}/stranger`,
    ]);
    expect(refused.status).toBe(403);
    const otherTenant = await curl([
      '-u',
      `gw@${tenant}:gw-secret`,
      '-X',
      'PUT',
      '-H',
      'content-type: text/plain',
      '--data-binary',
      'x',
      `${httpUrl}/telemetry/${amqpTenant}/a1`,
    ]);
    expect(otherTenant.status).toBe(403);
  });

  it('answers 401 with a Basic challenge for a wrong password, an unknown tenant or no credentials', async () => {
    const wrong = await post('/telemetry', `d1@${tenant}`, 'not-it', ['--data-binary', 'x']);
    expect(wrong.status).toBe(401);
    expect(wrong.headers.toLowerCase()).toContain('www-authenticate: basic realm="hono"');
    expect(
      (await post('/telemetry', `d1@${uniqueId('nope')}`, 'secret-1', ['--data-binary', 'x']))
        .status,
    ).toBe(401);
    expect(
      (await post('/telemetry', 'no-tenant-part', 'secret-1', ['--data-binary', 'x'])).status,
    ).toBe(401);
    expect((await curl(['-X', 'POST', '--data-binary', 'x', `${httpUrl}/telemetry`])).status).toBe(
      401,
    );
  });

  it('answers 404 for a disabled device and 403 when the adapter is disabled for the tenant', async () => {
    expect(
      (await post('/telemetry', `off@${tenant}`, 'off-secret', ['--data-binary', 'x'])).status,
    ).toBe(404);
    expect(
      (await post('/telemetry', `c1@${closedTenant}`, 'c-secret', ['--data-binary', 'x'])).status,
    ).toBe(403);
  });

  it('refuses a device disabled through the management API within 5 s although it was cached', async () => {
    await device(tenant, 'soon-off', {}, 'soon');
    const send = () => post('/telemetry', `soon-off@${tenant}`, 'soon', ['--data-binary', 'x']);
    expect((await send()).status).toBe(202);
    expect((await send()).status).toBe(202);
    await manage('PUT', `/v1/devices/${tenant}/soon-off`, { enabled: false });
    const started = Date.now();
    await untilPasses(async () => {
      expect((await send()).status).toBe(404);
    }, 5_000);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('refuses a changed password at once (the verified-credentials cache never outlives its secret)', async () => {
    await device(tenant, 'rotating', {}, 'old-pw');
    const send = (pw: string) =>
      post('/telemetry', `rotating@${tenant}`, pw, ['--data-binary', 'x']);
    expect((await send('old-pw')).status).toBe(202);
    await manage('PUT', `/v1/credentials/${tenant}/rotating`, [
      { type: 'hashed-password', 'auth-id': 'rotating', secrets: [{ 'pwd-plain': 'new-pw' }] },
    ]);
    await untilPasses(async () => {
      expect((await send('old-pw')).status).toBe(401);
    }, 5_000);
    expect((await send('new-pw')).status).toBe(202);
  });

  it('answers 413 for an oversized payload and keeps serving', async () => {
    const big = await post('/telemetry', `d1@${tenant}`, 'secret-1', [
      '-H',
      'content-type: application/octet-stream',
      '--data-binary',
      'x'.repeat(5_000),
    ]);
    expect(big.status).toBe(413);
    expect(
      (await post('/telemetry', `d1@${tenant}`, 'secret-1', ['--data-binary', 'ok'])).status,
    ).toBe(202);
  });

  it('answers 400 for an empty body without content type, and for an empty notification with a body', async () => {
    expect(
      (await post('/telemetry', `d1@${tenant}`, 'secret-1', ['-H', 'content-type:'])).status,
    ).toBe(400);
    expect(
      (
        await post('/event', `d1@${tenant}`, 'secret-1', [
          '-H',
          'content-type: application/vnd.eclipse-hono-empty-notification',
          '--data-binary',
          'not-empty',
        ])
      ).status,
    ).toBe(400);
    expect((await curl([`${httpUrl}/nothing-here`])).status).toBe(404);
  });

  it('accepts unauthenticated devices only where the tenant allows it', async () => {
    const put = (t: string, d: string) =>
      curl([
        '-X',
        'PUT',
        '-H',
        'content-type: text/plain',
        '--data-binary',
        'anon',
        `${httpUrl}/telemetry/${t}/${d}`,
      ]);
    expect((await put(openTenant, 'o1')).status).toBe(202);
    expect((await put(tenant, 'd1')).status).toBe(401);
  });

  it('authenticates a client certificate of the tenant’s CA over HTTPS (curl)', async () => {
    const tls = [
      '--cacert',
      serverCert.certFile,
      '--cert',
      deviceCert.certFile,
      '--key',
      deviceCert.keyFile,
    ];
    const reply = await curl([
      ...tls,
      '-X',
      'POST',
      '-H',
      'content-type: text/plain',
      '--data-binary',
      'by-cert',
      `${httpsUrl}/event`,
    ]);
    expect(reply.status).toBe(202);
    const record = await recordWith(`hono.event.${tenant}`, 'by-cert');
    expect(record.key).toBe('cert-device');
    expect(record.headers['device_id']).toBe('cert-device');
  });

  it('refuses expired, foreign and non-client certificates with 401', async () => {
    const expired = await pki.issue(ca, 'expired', '/O=Tessera Test/CN=cert-device', { days: -1 });
    const wrongUsage = await pki.issue(ca, 'server-usage', '/O=Tessera Test/CN=cert-device', {
      extendedKeyUsage: 'serverAuth',
    });
    const otherCa = await pki.selfSigned('other-ca', '/O=Tessera Test/CN=Device CA');
    const foreign = await pki.issue(otherCa, 'foreign', '/O=Tessera Test/CN=cert-device');
    for (const cert of [expired, wrongUsage, foreign]) {
      const reply = await curl([
        '--cacert',
        serverCert.certFile,
        '--cert',
        cert.certFile,
        '--key',
        cert.keyFile,
        '-X',
        'POST',
        '-H',
        'content-type: text/plain',
        '--data-binary',
        'x',
        `${httpsUrl}/telemetry`,
      ]);
      expect({ cert: cert.certFile, status: reply.status }).toEqual({
        cert: cert.certFile,
        status: 401,
      });
    }
  });

  it('sends events of an AMQP tenant to the broker’s event/<tenant> address (Qpid Proton receiver)', async () => {
    const reply = await post('/event', `a1@${amqpTenant}`, 'a-secret', [
      '-H',
      'content-type: text/plain',
      '--data-binary',
      'via-amqp',
    ]);
    expect(reply.status).toBe(202);
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
print(bytes(m.body).decode(), m.content_type, p["device_id"], p["tenant_id"], p["orig_adapter"], p["qos"], m.durable)
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
      `via-amqp text/plain a1 ${amqpTenant} hono-http int32(1) True`,
    );
  });

  it('answers 429 once the tenant’s data volume for the period is used up', async () => {
    const send = () =>
      post('/telemetry', `l1@${limitedTenant}`, 'l-secret', [
        '-H',
        'content-type: text/plain',
        '--data-binary',
        '12345678',
      ]);
    expect((await send()).status).toBe(202);
    expect((await send()).status).toBe(429);
  });

  it('reports messages by tenant and outcome, cache lookups, and the registry’s requests in /metrics', async () => {
    const value = (text: string, metric: string, labels: Record<string, string>): number => {
      let total = 0;
      for (const line of text.split('\n')) {
        if (!line.startsWith(`${metric}{`)) continue;
        if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) {
          total += Number(line.slice(line.lastIndexOf(' ') + 1));
        }
      }
      return total;
    };
    const adapterMetrics = await (await fetch(`${healthUrl}/metrics`)).text();
    expect(
      value(adapterMetrics, 'tessera_adapter_messages_total', { tenant, outcome: 'forwarded' }),
    ).toBeGreaterThanOrEqual(5);
    expect(
      value(adapterMetrics, 'tessera_adapter_messages_total', { tenant, outcome: '404' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      value(adapterMetrics, 'tessera_registry_client_cache_lookups_total', { result: 'hit' }),
    ).toBeGreaterThan(0);
    const registryMetrics = await (await fetch(`${registry.managementUrl}/metrics`)).text();
    expect(
      value(registryMetrics, 'tessera_registry_requests_total', {
        api: 'get Credentials',
        status: '200',
      }),
    ).toBeGreaterThan(0);
    expect(
      value(registryMetrics, 'tessera_registry_requests_total', {
        api: 'assert Device Registration',
        status: '404',
      }),
    ).toBeGreaterThan(0);
    // The management API, by route pattern (ids never become labels).
    expect(
      value(registryMetrics, 'tessera_http_requests_total', {
        method: 'POST',
        route: '/v1/devices/:tenantId/:deviceId',
        status: '201',
      }),
    ).toBeGreaterThanOrEqual(5);
  });
});
