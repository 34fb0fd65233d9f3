import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';

import {
  freePort,
  infraEnv,
  kcatRead,
  type ProgramResult,
  type RegistryProcess,
  runProgram,
  type ServiceProcess,
  startRegistryProcess,
  startService,
  uniqueId,
  untilPasses,
} from '@tessera/testing';

/*
 * The MQTT adapter's connection limits end to end: its own process against the registry process
 * and Kafka, devices are mosquitto_pub. The tenant's resource-limits.max-connections (counted per
 * adapter instance) and the connection rate per tenant, refused with Hono's CONNACK codes while
 * the other devices carry on.
 */

const { kafkaBrokers } = infraEnv();

/** The adapter's rate limit in this test: a burst of 10 CONNECTs per tenant, then one per 2 s. */
const CONNECT_BURST = 10;

describe('MQTT adapter connection limits', () => {
  let registry: RegistryProcess;
  let adapter: ServiceProcess;
  let port = 0;
  let healthUrl = '';
  const limited = uniqueId('mqttmax');
  const flooded = uniqueId('mqttflood');
  const calm = uniqueId('mqttcalm');
  const running: ChildProcessWithoutNullStreams[] = [];

  async function manage(method: string, path: string, body?: unknown): Promise<void> {
    const reply = await registry.manage(method, path, body);
    if (reply.status >= 300) {
      throw new Error(`${method} ${path}: ${String(reply.status)} ${JSON.stringify(reply.body)}`);
    }
  }
  async function device(tenant: string, id: string, password: string): Promise<void> {
    await manage('POST', `/v1/devices/${tenant}/${id}`, {});
    await manage('PUT', `/v1/credentials/${tenant}/${id}`, [
      { type: 'hashed-password', 'auth-id': id, secrets: [{ 'pwd-plain': password }] },
    ]);
  }

  /** mosquitto_pub as a device: one QoS 1 message, MQTT 3.1.1 unless `extra` says otherwise. */
  function pub(
    user: string,
    password: string,
    message: string,
    extra: readonly string[] = [],
  ): Promise<ProgramResult> {
    return runProgram(
      'mosquitto_pub',
      [
        ...['-h', '127.0.0.1', '-p', String(port), '-u', user, '-P', password],
        ...['-t', 'telemetry', '-m', message, '-q', '1', ...extra],
      ],
      { timeoutMs: 20_000 },
    );
  }

  /** A device that stays connected: mosquitto_pub publishing each line written to it. */
  function connectedDevice(user: string, password: string) {
    const child = spawn(
      'mosquitto_pub',
      [
        ...['-h', '127.0.0.1', '-p', String(port), '-u', user, '-P', password],
        ...['-t', 'telemetry', '-q', '1', '-l'],
      ],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    running.push(child);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    return {
      publish: (line: string) => child.stdin.write(`${line}\n`),
      /** Ends its input: mosquitto_pub sends DISCONNECT and exits. */
      leave: async () => {
        child.stdin.end();
        return { code: await exited, stderr };
      },
    };
  }

  async function recordWith(tenant: string, payload: string): Promise<void> {
    await untilPasses(async () => {
      const records = await kcatRead(kafkaBrokers, `hono.telemetry.${tenant}`);
      if (!records.some((r) => r.payload === payload)) {
        throw new Error(`no record "${payload}" for ${tenant} yet`);
      }
    }, 20_000);
  }

  async function metric(name: string, labels: Record<string, string>): Promise<number> {
    const text = await (await fetch(`${healthUrl}/metrics`)).text();
    let total = 0;
    for (const line of text.split('\n')) {
      if (!line.startsWith(`${name}{`)) continue;
      if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) {
        total += Number(line.slice(line.lastIndexOf(' ') + 1));
      }
    }
    return total;
  }

  beforeAll(async () => {
    registry = await startRegistryProcess();
    const healthPort = await freePort();
    port = await freePort();
    adapter = await startService(
      'mqtt-adapter',
      {
        REGISTRY_AMQP_URL: registry.amqpUrl,
        KAFKA_BROKERS: kafkaBrokers.join(','),
        MQTT_ADAPTER_HOST: '127.0.0.1',
        MQTT_ADAPTER_PORT: String(port),
        MQTT_ADAPTER_TENANT_CONNECT_RATE: '0.5',
        MQTT_ADAPTER_TENANT_CONNECT_BURST: String(CONNECT_BURST),
        HEALTH_HOST: '127.0.0.1',
        HEALTH_PORT: String(healthPort),
      },
      { ready: /listening on mqtt:\/\/.*\(devices/ },
    );
    healthUrl = `http://127.0.0.1:${String(healthPort)}`;
    await manage('POST', `/v1/tenants/${limited}`, {
      'resource-limits': { 'max-connections': 2 },
    });
    for (const id of ['m1', 'm2', 'm3']) await device(limited, id, `${id}-secret`);
    await manage('POST', `/v1/tenants/${flooded}`, {});
    await manage('POST', `/v1/tenants/${calm}`, {});
    await device(calm, 'c1', 'c1-secret');
  }, 180_000);

  afterAll(async () => {
    for (const child of running) if (child.exitCode === null) child.kill();
    await adapter.stop();
    await registry.process.stop();
  });

  it('refuses a third CONNECT of a tenant with max-connections 2 (0x05, MQTT 5 0x97) while the two publish on, and takes one once a device left', async () => {
    const first = connectedDevice(`m1@${limited}`, 'm1-secret');
    const second = connectedDevice(`m2@${limited}`, 'm2-secret');
    first.publish('first-1');
    second.publish('second-1');
    await Promise.all([recordWith(limited, 'first-1'), recordWith(limited, 'second-1')]);

    const third = await pub(`m3@${limited}`, 'm3-secret', 'third-refused');
    expect(third.code).not.toBe(0);
    expect(third.stderr).toMatch(/not authori[sz]ed/i);
    const third5 = await pub(`m3@${limited}`, 'm3-secret', 'third-refused', ['-V', 'mqttv5']);
    expect(third5.code).not.toBe(0);
    expect(third5.stderr).toMatch(/quota exceeded/i);

    first.publish('first-2');
    second.publish('second-2');
    await Promise.all([recordWith(limited, 'first-2'), recordWith(limited, 'second-2')]);

    expect((await first.leave()).code).toBe(0);
    // Its DISCONNECT may reach the adapter just after mosquitto_pub exited.
    await untilPasses(
      async () => {
        const result = await pub(`m3@${limited}`, 'm3-secret', 'third-accepted');
        if (result.code !== 0) throw new Error(`still refused: ${result.stderr}`);
      },
      15_000,
      500,
    );
    await recordWith(limited, 'third-accepted');
    second.publish('second-3');
    await recordWith(limited, 'second-3');
    expect((await second.leave()).code).toBe(0);
    const payloads = (await kcatRead(kafkaBrokers, `hono.telemetry.${limited}`)).map(
      (r) => r.payload,
    );
    expect(payloads).not.toContain('third-refused');
    expect(
      await metric('hono_connections_attempts_total', {
        outcome: 'tenant-connections-exceeded',
        tenant: limited,
      }),
    ).toBeGreaterThanOrEqual(2);
  }, 90_000);

  it('refuses a flood of CONNECTs claiming one tenant (0x03, MQTT 5 0x9F) before checking passwords, while another tenant connects', async () => {
    // Three times the burst at once, MQTT 3.1.1 and 5 alternating, every password wrong.
    const attempts = Array.from({ length: 3 * CONNECT_BURST }, (_, i) =>
      pub(`intruder@${flooded}`, 'wrong', 'x', i % 2 === 0 ? [] : ['-V', 'mqttv5']),
    );
    const calmDevice = pub(`c1@${calm}`, 'c1-secret', 'calm-during-flood');
    const results = await Promise.all(attempts);
    const v3 = results.filter((_, i) => i % 2 === 0).map((r) => r.stderr);
    const v5 = results.filter((_, i) => i % 2 === 1).map((r) => r.stderr);
    // Every attempt got a clear refusal: a CONNACK code, no reset, no timeout.
    for (const stderr of v3) {
      expect(stderr).toMatch(/bad user name or password|unavailable/i);
    }
    for (const stderr of v5) {
      expect(stderr).toMatch(/bad user name or password|connection rate exceeded/i);
    }
    expect(v3.some((stderr) => /unavailable/i.test(stderr))).toBe(true);
    expect(v5.some((stderr) => /connection rate exceeded/i.test(stderr))).toBe(true);
    // At most the burst (and what trickled in at 0.5/s) reached the password check.
    const checked = results.filter((r) => /bad user name or password/i.test(r.stderr)).length;
    expect(checked).toBeLessThan(results.length);

    expect((await calmDevice).code).toBe(0);
    expect((await pub(`c1@${calm}`, 'c1-secret', 'calm-after-flood')).code).toBe(0);
    await recordWith(calm, 'calm-during-flood');
    await recordWith(calm, 'calm-after-flood');
    expect(
      await metric('hono_connections_attempts_total', { outcome: 'connection-rate-exceeded' }),
    ).toBeGreaterThanOrEqual(results.length - checked);
  }, 90_000);
});
