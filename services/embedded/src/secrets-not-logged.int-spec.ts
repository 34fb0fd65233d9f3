import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import bcrypt from 'bcryptjs';

import { MessagingError } from '@tessera/messaging';
import { AmqpRequestResponseClient } from '@tessera/messaging-amqp';
import {
  freePort,
  infraEnv,
  type ServiceProcess,
  startService,
  type TestCertificate,
  TestPki,
  uniqueId,
} from '@tessera/testing';

/*
 * Secrets never reach logs or responses. The embedded suite and a standalone registry service run
 * as processes, as in production, with a recognisable value in every secret-bearing variable
 * (management and AMQP users' bcrypt hashes, the database URL's password, TLS keys from files),
 * logging as much as they can (LOG_LEVEL=verbose). The test uses them as a client would: the
 * management API over HTTPS with right and wrong passwords, credentials with plain passwords,
 * Hono's Credentials API over AMQP, a device upload; and starts them with broken configuration.
 * Then every byte they printed, every response and the endpoints file are searched for each secret.
 */

const { postgresUrl, kafkaBrokers } = infraEnv();
const token = (label: string): string => `${label}-${randomBytes(6).toString('hex')}`;

const ADMIN_PASSWORD = token('admin-pw');
const ADMIN_HASH = bcrypt.hashSync(ADMIN_PASSWORD, 4);
const ADAPTER_PASSWORD = token('adapter-pw');
const ADAPTER_HASH = bcrypt.hashSync(ADAPTER_PASSWORD, 4);
const DEVICE_PASSWORD = token('device-pw');
const WRONG_PASSWORD = token('wrong-pw');
const KAFKA_PASSWORD = token('kafka-pw');
const DB_PASSWORD = new URL(postgresUrl).password;

/** What a reply looked like. */
interface Reply {
  readonly status: number;
  readonly headers: string;
  readonly body: string;
}

/** One HTTPS request trusting `ca` (Node's fetch takes no CA of its own). */
function https(
  url: string,
  options: { ca: string; method?: string; auth?: string; body?: unknown },
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const req = httpsRequest(
      url,
      {
        method: options.method ?? 'GET',
        ca: options.ca,
        timeout: 15_000,
        headers: {
          ...(options.auth === undefined
            ? {}
            : { authorization: `Basic ${Buffer.from(options.auth).toString('base64')}` }),
          ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
        },
      },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, headers: JSON.stringify(res.headers), body });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** The secret values (by name) that occur in `text`, also in part: PEM lines, hash digests. */
function leaked(text: string, secrets: Readonly<Record<string, string>>): string[] {
  const found: string[] = [];
  for (const [name, value] of Object.entries(secrets)) {
    const pieces = [value];
    // A PEM body line, or the digest of a bcrypt hash, is as bad as the whole.
    if (value.includes('-----BEGIN'))
      pieces.push(...value.split('\n').filter((l) => l.length >= 16 && !l.startsWith('-----')));
    if (/^\$2[aby]\$/.test(value)) pieces.push(value.slice(-31));
    if (pieces.some((p) => text.includes(p))) found.push(name);
  }
  return found;
}

function writeFiles(contents: Record<string, string>): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-secrets-'));
  return Object.fromEntries(
    Object.entries(contents).map(([name, content]) => {
      const path = join(dir, name);
      writeFileSync(path, content, { mode: 0o600 });
      return [name, path];
    }),
  );
}

/** `<NAME>_FILE` variables for files holding the given values. */
function writeFilesAsEnv(values: Record<string, string>): Record<string, string> {
  const paths = writeFiles(values);
  return Object.fromEntries(Object.entries(paths).map(([name, path]) => [`${name}_FILE`, path]));
}

/** Starts a service expected to refuse its configuration; resolves with what it printed. */
async function failedStart(name: string, env: Record<string, string>): Promise<string> {
  try {
    const started = await startService(name, env, {
      ready: /listening on|ready in/,
      timeoutMs: 60_000,
    });
    await started.kill();
    throw new Error(`${name} started with a broken configuration:\n${started.output()}`);
  } catch (error) {
    const message = String(error);
    if (message.includes('started with a broken configuration')) throw error;
    return message;
  }
}

describe('secrets never reach logs or responses', () => {
  jest.setTimeout(180_000);
  const pki = new TestPki();
  let managementCert: TestCertificate;
  let adapterCert: TestCertificate;
  let secrets: Record<string, string>;
  /** Every response body and header the tests saw. */
  const responses: string[] = [];

  beforeAll(async () => {
    [managementCert, adapterCert] = await Promise.all([
      pki.selfSigned('management', '/CN=localhost', { server: true }),
      pki.selfSigned('adapters', '/CN=localhost', { server: true }),
    ]);
    secrets = {
      ADMIN_PASSWORD,
      ADMIN_HASH,
      ADMIN_BASIC: Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64'),
      ADAPTER_PASSWORD,
      ADAPTER_HASH,
      DEVICE_PASSWORD,
      WRONG_PASSWORD,
      KAFKA_PASSWORD,
      POSTGRES_URL: postgresUrl,
      POSTGRES_USERINFO: `:${DB_PASSWORD}@`,
      MANAGEMENT_TLS_KEY: managementCert.keyPem,
      ADAPTER_TLS_KEY: adapterCert.keyPem,
    };
  });

  it('finds a secret, whole or in part (the search can fail)', () => {
    const keyLine = managementCert.keyPem.split('\n')[1]!;
    expect(leaked(`key: ${keyLine}`, secrets)).toEqual(['MANAGEMENT_TLS_KEY']);
    expect(leaked(`x${ADMIN_HASH.slice(-31)}x`, secrets)).toEqual(['ADMIN_HASH']);
    expect(leaked(`postgres://tessera:${DB_PASSWORD}@h/db`, secrets)).toEqual([
      'POSTGRES_USERINFO',
    ]);
    expect(leaked('postgres://tessera:****@h/db', secrets)).toEqual([]);
  });

  describe('the embedded suite, used as a client would', () => {
    let registry: ServiceProcess | undefined;
    let endpointsFile = '';
    let management = '';
    let amqpPort = 0;
    let httpAdapter = '';
    const tenant = uniqueId('secrets');

    beforeAll(async () => {
      const [mgmtPort, amqp, http, mqtt, httpsPort, mqttsPort] = await Promise.all(
        Array.from({ length: 6 }, () => freePort()),
      );
      amqpPort = amqp!;
      const files = writeFiles({
        'management-users': `admin:${ADMIN_HASH}\n`,
        'tls.key': managementCert.keyPem,
        'tls.crt': managementCert.certPem,
        'adapter.key': adapterCert.keyPem,
        'adapter.crt': adapterCert.certPem,
        'postgres-url': postgresUrl,
      });
      endpointsFile = join(mkdtempSync(join(tmpdir(), 'tessera-secrets-')), 'endpoints.json');
      registry = await startService(
        'embedded',
        {
          LOG_LEVEL: 'verbose',
          PERSISTENCE_DRIVER: 'postgres',
          POSTGRES_URL_FILE: files['postgres-url']!,
          POSTGRES_SCHEMA: uniqueId('secrets'),
          KAFKA_BROKERS: kafkaBrokers.join(','),
          BCRYPT_COST: '4',
          TESSERA_HOST: '127.0.0.1',
          MANAGEMENT_PORT: String(mgmtPort),
          MANAGEMENT_USERS_FILE: files['management-users']!,
          MANAGEMENT_TLS_KEY_FILE: files['tls.key']!,
          MANAGEMENT_TLS_CERT_FILE: files['tls.crt']!,
          AMQP_PORT: String(amqp),
          AMQP_USERS: `adapter:${ADAPTER_HASH}`,
          HTTP_ADAPTER_PORT: String(http),
          MQTT_ADAPTER_PORT: String(mqtt),
          HTTP_ADAPTER_TLS_PORT: String(httpsPort),
          MQTT_ADAPTER_TLS_PORT: String(mqttsPort),
          ADAPTER_TLS_KEY_FILE: files['adapter.key']!,
          ADAPTER_TLS_CERT_FILE: files['adapter.crt']!,
          TESSERA_DEMO_TENANT: '',
          TESSERA_ENDPOINTS_FILE: endpointsFile,
        },
        { ready: /ready in \d+ ms/, timeoutMs: 120_000 },
      );
      management = `https://127.0.0.1:${String(mgmtPort)}`;
      httpAdapter = `http://127.0.0.1:${String(http)}`;
    }, 150_000);

    afterAll(async () => {
      await registry?.stop();
    });

    const manage = async (
      method: string,
      path: string,
      body?: unknown,
      auth = `admin:${ADMIN_PASSWORD}`,
    ): Promise<Reply> => {
      const reply = await https(`${management}${path}`, {
        ca: managementCert.certPem,
        method,
        auth,
        body,
      });
      responses.push(reply.headers, reply.body);
      return reply;
    };

    it('serves the management API over HTTPS only and lists it so', async () => {
      const endpoints = JSON.parse(readFileSync(endpointsFile, 'utf8')) as {
        management: { url: string };
      };
      expect(endpoints.management.url).toBe(management);
      responses.push(readFileSync(endpointsFile, 'utf8'));
      expect((await manage('GET', '/liveness')).status).toBe(200);
      await expect(fetch(`${management.replace('https:', 'http:')}/liveness`)).rejects.toThrow();
    });

    it('answers wrong and missing passwords with 401, echoing nothing', async () => {
      for (const auth of [
        `admin:${WRONG_PASSWORD}`,
        `admin:${ADMIN_HASH}`,
        `nobody:${ADMIN_PASSWORD}`,
        WRONG_PASSWORD,
      ]) {
        expect((await manage('GET', `/v1/tenants/${tenant}`, undefined, auth)).status).toBe(401);
      }
      const anonymous = await https(`${management}/v1/tenants/${tenant}`, {
        ca: managementCert.certPem,
      });
      expect(anonymous.status).toBe(401);
    });

    it('stores plain passwords hashed and shows neither password nor hash', async () => {
      expect((await manage('POST', `/v1/tenants/${tenant}`, {})).status).toBe(201);
      expect((await manage('POST', `/v1/devices/${tenant}/dev-1`, {})).status).toBe(201);
      const credentials = [
        {
          type: 'hashed-password',
          'auth-id': 'sensor-1',
          secrets: [{ 'pwd-plain': DEVICE_PASSWORD }],
        },
      ];
      expect((await manage('PUT', `/v1/credentials/${tenant}/dev-1`, credentials)).status).toBe(
        204,
      );
      const read = await manage('GET', `/v1/credentials/${tenant}/dev-1`);
      expect(read.status).toBe(200);
      expect(read.body).toContain('sensor-1');
      expect(read.body).not.toMatch(/pwd-plain|pwd-hash|\$2[aby]\$/);
      // Requests that carry a password (for another device): answered without repeating it,
      // the invalid ones refused.
      expect((await manage('POST', `/v1/devices/${tenant}/dev-2`, {})).status).toBe(201);
      const both = { 'pwd-plain': DEVICE_PASSWORD, 'pwd-hash': WRONG_PASSWORD };
      const statuses: number[] = [];
      for (const bad of [
        [{ type: 'hashed-password', 'auth-id': 'x', secrets: [both] }],
        [{ type: 'hashed-password', secrets: [{ 'pwd-plain': DEVICE_PASSWORD }] }],
        [{ type: 'hashed-password', 'auth-id': 'x', secrets: [{ 'pwd-plain': 42 }] }],
        `[{"type": "hashed-password", "auth-id": "x", "secrets": [{"pwd-plain": "${DEVICE_PASSWORD}"`,
      ]) {
        statuses.push((await manage('PUT', `/v1/credentials/${tenant}/dev-2`, bad)).status);
      }
      expect(statuses.slice(1)).toEqual([400, 400, 400]);
      const stored = await manage('GET', `/v1/credentials/${tenant}/dev-2`);
      expect(stored.body).not.toMatch(/pwd-plain|pwd-hash|\$2[aby]\$/);
    });

    it('gives the hash to authenticated AMQP users only, and refuses wrong passwords', async () => {
      const client = new AmqpRequestResponseClient({
        url: `amqp://adapter:${ADAPTER_PASSWORD}@127.0.0.1:${String(amqpPort)}`,
      });
      await client.start();
      try {
        const reply = await client.request(`credentials/${tenant}`, {
          subject: 'get',
          contentType: 'application/json',
          body: Buffer.from(JSON.stringify({ type: 'hashed-password', 'auth-id': 'sensor-1' })),
        });
        expect(reply.properties?.['status']).toBe(200);
        const body = JSON.parse(reply.body?.toString() ?? '{}') as {
          secrets?: { 'pwd-hash'?: string }[];
        };
        const hash = body.secrets?.[0]?.['pwd-hash'];
        expect(hash).toMatch(/^\$2[aby]\$04\$/);
        // From now on the stored hash counts as a secret too: logs and management API must not show it.
        secrets['DEVICE_HASH'] = hash!;
      } finally {
        await client.stop();
      }
      const intruder = new AmqpRequestResponseClient({
        url: `amqp://adapter:${WRONG_PASSWORD}@127.0.0.1:${String(amqpPort)}`,
        reconnect: false,
        connectTimeoutMs: 3_000,
      });
      await expect(intruder.start()).rejects.toBeInstanceOf(MessagingError);
      await intruder.stop();
    });

    it('authenticates a device upload with its password, and refuses a wrong one', async () => {
      const upload = async (password: string): Promise<number> => {
        const response = await fetch(`${httpAdapter}/telemetry`, {
          method: 'POST',
          headers: {
            authorization: `Basic ${Buffer.from(`sensor-1@${tenant}:${password}`).toString('base64')}`,
            'content-type': 'application/json',
          },
          body: '{"temp": 5}',
        });
        responses.push(JSON.stringify([...response.headers]), await response.text());
        return response.status;
      };
      expect(await upload(DEVICE_PASSWORD)).toBe(202);
      expect(await upload(WRONG_PASSWORD)).toBe(401);
    });

    it('publishes health and metrics without a secret', async () => {
      for (const path of ['/readiness', '/metrics']) {
        const reply = await https(`${management}${path}`, { ca: managementCert.certPem });
        responses.push(reply.headers, reply.body);
        expect(reply.status).toBe(200);
      }
    });

    it('printed no secret, and answered none, from start to shutdown', async () => {
      await registry!.stop();
      const output = registry!.output();
      expect(output).toContain('ready in');
      // LOG_LEVEL=verbose: Nest's own start-up chatter is there too.
      expect(output).toContain('Mapped {/v1/credentials/:tenantId/:deviceId, PUT} route');
      expect(output).toContain(management);
      expect(leaked(output, secrets)).toEqual([]);
      expect(leaked(responses.join('\n'), secrets)).toEqual([]);
    });
  });

  describe('a standalone registry service (HTTPS, health port, JSON logs)', () => {
    it('printed no secret while serving, refusing and stopping', async () => {
      const [httpPort, healthPort, amqpPort] = await Promise.all([
        freePort(),
        freePort(),
        freePort(),
      ]);
      const files = writeFiles({
        users: `admin:${ADMIN_HASH}`,
        'tls.key': managementCert.keyPem,
        'tls.crt': managementCert.certPem,
      });
      const tenantService = await startService(
        'tenant',
        {
          LOG_LEVEL: 'verbose',
          HTTP_HOST: '127.0.0.1',
          HTTP_PORT: String(httpPort),
          HTTP_TLS_KEY_FILE: files['tls.key']!,
          HTTP_TLS_CERT_FILE: files['tls.crt']!,
          HEALTH_PORT: String(healthPort),
          PERSISTENCE_DRIVER: 'postgres',
          POSTGRES_URL: postgresUrl,
          POSTGRES_SCHEMA: uniqueId('secrets_tenant'),
          KAFKA_BROKERS: kafkaBrokers.join(','),
          MANAGEMENT_USERS_FILE: files['users']!,
          AMQP_HOST: '127.0.0.1',
          AMQP_PORT: String(amqpPort),
          AMQP_USERS: `adapter:${ADAPTER_HASH}`,
        },
        { ready: /listening on amqp/, timeoutMs: 120_000 },
      );
      try {
        const base = `https://127.0.0.1:${String(httpPort)}`;
        const call = (auth: string): Promise<Reply> =>
          https(`${base}/v1/tenants/${uniqueId('t')}`, {
            ca: managementCert.certPem,
            method: 'POST',
            auth,
            body: {},
          });
        expect((await call(`admin:${ADMIN_PASSWORD}`)).status).toBe(201);
        const refused = await call(`admin:${WRONG_PASSWORD}`);
        expect(refused.status).toBe(401);
        responses.push(refused.body, refused.headers);
        // Probes and scrapers: plain HTTP on the health port, which serves nothing else.
        const health = `http://127.0.0.1:${String(healthPort)}`;
        expect((await fetch(`${health}/readiness`)).status).toBe(200);
        expect((await fetch(`${health}/v1/tenants/x`)).status).toBe(404);
      } finally {
        await tenantService.stop();
      }
      const output = tenantService.output();
      expect(output).toContain('"context":"RouterExplorer"');
      expect(output).toContain(`listening on https://127.0.0.1:${String(httpPort)}`);
      expect(output).toContain(`listening on http://127.0.0.1:${String(healthPort)}`);
      expect(leaked(output, secrets)).toEqual([]);
      expect(leaked(responses.join('\n'), secrets)).toEqual([]);
    });
  });

  describe('a broken configuration', () => {
    it('names each bad variable of the embedded suite, never its value', async () => {
      const files = writeFiles({ 'tls.key': managementCert.keyPem });
      const output = await failedStart('embedded', {
        TESSERA_ADAPTERS: 'false',
        PERSISTENCE_DRIVER: 'postgres',
        // a wrong scheme, and the password in it
        POSTGRES_URL: `mysql://tessera:${DB_PASSWORD}@127.0.0.1:5432/tessera`,
        KAFKA_BROKERS: kafkaBrokers.join(','),
        // a password without a mechanism
        KAFKA_SASL_USERNAME: 'tessera',
        KAFKA_SASL_PASSWORD: KAFKA_PASSWORD,
        // a key without its certificate
        MANAGEMENT_TLS_KEY_FILE: files['tls.key']!,
        ADAPTER_TLS_KEY: adapterCert.keyPem,
      });
      expect(output).toContain('Invalid configuration');
      for (const name of [
        'POSTGRES_URL',
        'KAFKA_SASL_MECHANISM',
        'MANAGEMENT_TLS_KEY',
        'ADAPTER_TLS_KEY',
      ])
        expect(output).toContain(name);
      expect(leaked(output, secrets)).toEqual([]);
    });

    it.each([
      ['MANAGEMENT_USERS', { MANAGEMENT_USERS: `admin:${ADMIN_PASSWORD}` }],
      [
        'AMQP_USERS',
        {
          MANAGEMENT_USERS: `admin:${ADMIN_HASH}`,
          AMQP_USERS: `adapter:${ADAPTER_PASSWORD},${ADAPTER_HASH}`,
        },
      ],
    ])(
      'names %s with a plain password instead of a hash, never the password or hash',
      async (name, users) => {
        const output = await failedStart('embedded', {
          TESSERA_ADAPTERS: 'false',
          TESSERA_HOST: '127.0.0.1',
          PERSISTENCE_DRIVER: 'postgres',
          POSTGRES_URL: postgresUrl,
          KAFKA_BROKERS: kafkaBrokers.join(','),
          // The operator's classic: the password where its hash belongs.
          ...users,
        });
        expect(output).toContain('Invalid configuration');
        expect(output).toContain(name);
        expect(leaked(output, secrets)).toEqual([]);
      },
    );

    it('fails on a Kafka that refuses SASL without printing the SASL password', async () => {
      // The test run's Kafka speaks plaintext: the SASL handshake fails at start.
      const output = await failedStart('embedded', {
        TESSERA_ADAPTERS: 'false',
        TESSERA_HOST: '127.0.0.1',
        PERSISTENCE_DRIVER: 'postgres',
        POSTGRES_URL: postgresUrl,
        POSTGRES_SCHEMA: uniqueId('secrets_sasl'),
        MANAGEMENT_PORT: '0',
        AMQP_PORT: '0',
        TESSERA_ENDPOINTS_FILE: join(mkdtempSync(join(tmpdir(), 'tessera-secrets-')), 'e.json'),
        KAFKA_BROKERS: kafkaBrokers.join(','),
        KAFKA_SASL_MECHANISM: 'scram-sha-512',
        KAFKA_SASL_USERNAME: 'tessera',
        ...writeFilesAsEnv({ KAFKA_SASL_PASSWORD: KAFKA_PASSWORD }),
      });
      expect(output).toContain('Tessera failed to start');
      expect(output).toMatch(/Kafka/);
      expect(leaked(output, secrets)).toEqual([]);
    });

    it('names the bad variables of a standalone service, never their values', async () => {
      const output = await failedStart('tenant', {
        HTTP_TLS_CERT: managementCert.certPem,
        HTTP_TLS_CLIENT_CA: managementCert.certPem,
        PERSISTENCE_DRIVER: 'postgres',
        POSTGRES_URL: postgresUrl,
        KAFKA_BROKERS: kafkaBrokers.join(','),
        KAFKA_SASL_MECHANISM: 'gssapi',
        KAFKA_SASL_USERNAME: 'tessera',
        KAFKA_SASL_PASSWORD: KAFKA_PASSWORD,
        MANAGEMENT_USERS: `admin:${ADMIN_HASH}`,
        AMQP_USERS: `adapter:${ADAPTER_HASH}`,
      });
      expect(output).toContain('Invalid configuration');
      expect(output).toContain('KAFKA_SASL_MECHANISM');
      expect(output).toContain('HTTP_TLS_KEY and HTTP_TLS_CERT go together');
      expect(leaked(output, secrets)).toEqual([]);
    });
  });
});
