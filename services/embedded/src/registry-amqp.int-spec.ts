import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { type DynamicModule, type INestApplication, Module } from '@nestjs/common';
import bcrypt from 'bcryptjs';

import { loadConfig } from '@tessera/config';
import { CredentialsModule } from '@tessera/credentials-service';
import { DeviceRegistrationModule } from '@tessera/device-registration-service';
import { type Message, MessagingError } from '@tessera/messaging';
import { AmqpRequestResponseClient } from '@tessera/messaging-amqp';
import {
  AMQP_ENDPOINT,
  type AmqpEndpoint,
  AmqpEndpointModule,
  KafkaConfig,
  MessagingModule,
} from '@tessera/messaging-nest';
import { PersistenceConfig, PersistenceModule } from '@tessera/persistence-nest';
import {
  ManagementAuthConfig,
  ManagementAuthModule,
  RegistryAmqpConfig,
  resolveManagementAuth,
  resolveRegistryAmqp,
} from '@tessera/registry-kit';
import { createHttpApp, HealthModule } from '@tessera/service-nest';
import { TenantModule } from '@tessera/tenant-service';
import { infraEnv, runProgram, uniqueId } from '@tessera/testing';

/*
 * Hono's Device Registration and Credentials APIs over AMQP 1.0, as protocol adapters use them:
 * every status and error path through the project's AMQP client, the wire format through Qpid
 * Proton, and the SASL PLAIN users with their per-address, per-operation grants.
 */

const { postgresUrl, mongodbUri } = infraEnv();
const ADAPTER = { name: 'adapter', password: 'adapter-secret' };
// May only assert registrations of one tenant (set per suite) and nothing else.
const SCOPED = { name: 'scoped', password: 'scoped-secret' };
const hash = (password: string): string => bcrypt.hashSync(password, 4);

@Module({ imports: [HealthModule] })
class RegistryAmqpTestApp {}

function appModule(env: Record<string, string>, scopedTenant: string): DynamicModule {
  const config = loadConfig(
    {
      persistence: PersistenceConfig,
      kafka: KafkaConfig,
      auth: ManagementAuthConfig,
      amqp: RegistryAmqpConfig,
    },
    {
      ...env,
      MANAGEMENT_AUTH: 'none',
      AMQP_HOST: '127.0.0.1',
      AMQP_PORT: '0',
      AMQP_USERS: `${ADAPTER.name}:${hash(ADAPTER.password)},${SCOPED.name}:${hash(SCOPED.password)}`,
      AMQP_PERMISSIONS: `${SCOPED.name}=registration/${scopedTenant}:assert`,
    },
  );
  return {
    module: RegistryAmqpTestApp,
    imports: [
      PersistenceModule.forRoot(config.persistence),
      MessagingModule.forRoot(config.kafka, { consumerGroup: 'registry-amqp-it' }),
      ManagementAuthModule.forRoot(
        resolveManagementAuth(config.auth, { embeddedDevMode: true, host: '127.0.0.1' }),
      ),
      AmqpEndpointModule.forRoot(
        resolveRegistryAmqp(config.amqp, { embeddedDevMode: false, defaultHost: '0.0.0.0' }),
      ),
      TenantModule,
      DeviceRegistrationModule,
      CredentialsModule.forRoot({ bcryptCost: 4, maxBcryptCost: 10 }),
    ],
  };
}

type Json = Record<string, unknown>;

const bodyOf = (reply: Message): Json => JSON.parse(reply.body?.toString() ?? '{}') as Json;

function describeRegistryAmqp(store: string, env: () => Record<string, string>): void {
  describe(`Registration and Credentials APIs over AMQP 1.0 on ${store}`, () => {
    let app: INestApplication;
    let base = '';
    let port = 0;
    let client: AmqpRequestResponseClient;
    const scopedTenant = uniqueId('scoped');

    beforeAll(async () => {
      const started = await createHttpApp(appModule(env(), scopedTenant), {
        host: '127.0.0.1',
        port: 0,
        bodyLimit: '16kb',
      });
      app = started.app;
      base = `http://127.0.0.1:${String(started.port)}`;
      port = app.get<AmqpEndpoint>(AMQP_ENDPOINT).port ?? 0;
      client = new AmqpRequestResponseClient({
        url: `amqp://${ADAPTER.name}:${ADAPTER.password}@127.0.0.1:${String(port)}`,
      });
      await client.start();
    });

    afterAll(async () => {
      await client.stop();
      await app.close();
    });

    async function manage(method: string, path: string, body?: unknown): Promise<number> {
      const response = await fetch(`${base}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return response.status;
    }
    async function newTenant(id = uniqueId('t')): Promise<string> {
      expect(await manage('POST', `/v1/tenants/${id}`, {})).toBe(201);
      return id;
    }
    async function newDevice(tenant: string, id: string, body: Json = {}): Promise<void> {
      expect(await manage('POST', `/v1/devices/${tenant}/${id}`, body)).toBe(201);
    }

    const assert = (
      tenant: string,
      properties: Json,
      subject = 'assert',
      via = client,
    ): Promise<Message> =>
      via.request(`registration/${tenant}`, {
        subject,
        properties: properties as Record<string, string>,
      });
    const getCredentials = (tenant: string, body: unknown, subject = 'get'): Promise<Message> =>
      client.request(`credentials/${tenant}`, {
        subject,
        contentType: 'application/json',
        body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
      });

    describe('Device Registration API: assert', () => {
      let tenant = '';
      beforeAll(async () => {
        tenant = await newTenant();
        await newDevice(tenant, 'dev', {
          defaults: { 'content-type': 'text/plain', ttl: 30 },
          'downstream-message-mapper': 'mapper-down',
          'upstream-message-mapper': 'mapper-up',
          'command-endpoint': { uri: 'https://example.com/cmd/{{deviceId}}' },
          via: ['gw-direct'],
          viaGroups: ['grp'],
          ext: { not: 'returned' },
        });
        await newDevice(tenant, 'gw-direct');
        await newDevice(tenant, 'gw-member', { memberOf: ['grp', 'other'] });
        await newDevice(tenant, 'gw-disabled-member', { enabled: false, memberOf: ['grp'] });
        await newDevice(tenant, 'gw-stranger', { memberOf: ['other'] });
        await newDevice(tenant, 'off', { enabled: false });
      });

      it('answers 200 with Hono’s assertion, via resolved from groups, and max-age=300', async () => {
        const reply = await assert(tenant, { device_id: 'dev' });
        expect(reply.properties).toEqual({
          status: 200,
          tenant_id: tenant,
          device_id: 'dev',
          cache_control: 'max-age=300',
        });
        expect(reply.contentType).toBe('application/json');
        expect(bodyOf(reply)).toEqual({
          'device-id': 'dev',
          // The disabled member is listed too: Hono resolves membership, the check comes per gateway.
          via: ['gw-direct', 'gw-disabled-member', 'gw-member'],
          defaults: { 'content-type': 'text/plain', ttl: 30 },
          'downstream-message-mapper': 'mapper-down',
          'upstream-message-mapper': 'mapper-up',
          'command-endpoint': { uri: 'https://example.com/cmd/{{deviceId}}' },
        });
      });

      it('lets a gateway act through via and through a shared group, and no other', async () => {
        for (const gateway of ['gw-direct', 'gw-member']) {
          const ok = await assert(tenant, { device_id: 'dev', gateway_id: gateway });
          expect(ok.properties?.['status']).toBe(200);
          expect(bodyOf(ok)['via']).toContain(gateway);
        }
        for (const gateway of ['gw-stranger', 'gw-disabled-member', 'gw-unknown']) {
          const refused = await assert(tenant, { device_id: 'dev', gateway_id: gateway });
          expect(refused.properties).toMatchObject({ status: 403, tenant_id: tenant });
        }
        // The gateway may act only for the devices that name it.
        const other = await assert(tenant, { device_id: 'gw-stranger', gateway_id: 'gw-member' });
        expect(other.properties?.['status']).toBe(403);
      });

      it('answers 404 for unknown or disabled devices and unknown tenants', async () => {
        expect((await assert(tenant, { device_id: 'nobody' })).properties?.['status']).toBe(404);
        expect((await assert(tenant, { device_id: 'off' })).properties?.['status']).toBe(404);
        const gone = uniqueId('gone');
        expect((await assert(gone, { device_id: 'dev' })).properties?.['status']).toBe(404);
        // A device of another tenant is unknown here.
        const other = await newTenant();
        expect((await assert(other, { device_id: 'dev' })).properties?.['status']).toBe(404);
      });

      it('answers 400 for requests without device_id or with an invalid id', async () => {
        expect((await assert(tenant, {})).properties?.['status']).toBe(400);
        expect((await assert(tenant, { device_id: 'bad id!' })).properties?.['status']).toBe(400);
      });

      it('rejects operations the user has no grant for (as Hono), and refuses unscoped links', async () => {
        // The adapter grant covers `assert` only: another subject is settled rejected, unanswered.
        const refused = await assert(tenant, { device_id: 'dev' }, 'get').catch((e: unknown) => e);
        expect(refused).toBeInstanceOf(MessagingError);
        expect((refused as MessagingError).code).toBe('REJECTED');
        expect((refused as MessagingError).message).toContain('amqp:unauthorized-access');
        await expect(
          client.request('registration', { subject: 'assert', properties: { device_id: 'dev' } }),
        ).rejects.toThrow(/refused/);
        // The connection and its links stay usable.
        expect((await assert(tenant, { device_id: 'dev' })).properties?.['status']).toBe(200);
      });

      it('sees a change of the device at once (the registry itself keeps no cache)', async () => {
        await newDevice(tenant, 'flip');
        expect((await assert(tenant, { device_id: 'flip' })).properties?.['status']).toBe(200);
        expect(await manage('PUT', `/v1/devices/${tenant}/flip`, { enabled: false })).toBe(204);
        expect((await assert(tenant, { device_id: 'flip' })).properties?.['status']).toBe(404);
      });
    });

    describe('Credentials API: get', () => {
      let tenant = '';
      beforeAll(async () => {
        tenant = await newTenant();
        await newDevice(tenant, 'dev');
        await newDevice(tenant, 'dev2');
        expect(
          await manage('PUT', `/v1/credentials/${tenant}/dev`, [
            {
              type: 'hashed-password',
              'auth-id': 'sensor',
              secrets: [{ 'pwd-plain': 'pw-1', 'not-after': '2099-01-01T00:00:00Z' }],
              ext: { model: 'x1' },
            },
            { type: 'psk', 'auth-id': 'sensor-psk', secrets: [{ key: 'a2V5' }] },
            {
              type: 'hashed-password',
              'auth-id': 'off',
              enabled: false,
              secrets: [{ 'pwd-plain': 'pw-2' }],
            },
          ]),
        ).toBe(204);
      });

      it('answers 200 with the credentials, all secrets and the device id; cacheable for 180 s', async () => {
        const reply = await getCredentials(tenant, {
          type: 'hashed-password',
          'auth-id': 'sensor',
        });
        expect(reply.properties).toEqual({
          status: 200,
          tenant_id: tenant,
          device_id: 'dev',
          cache_control: 'max-age=180',
        });
        const body = bodyOf(reply);
        expect(body).toMatchObject({
          'device-id': 'dev',
          type: 'hashed-password',
          'auth-id': 'sensor',
          ext: { model: 'x1' },
        });
        const [secret] = body['secrets'] as Json[];
        expect(secret?.['hash-function']).toBe('bcrypt');
        expect(bcrypt.compareSync('pw-1', String(secret?.['pwd-hash']))).toBe(true);
        expect(secret?.['not-after']).toBe('2099-01-01T00:00:00Z');
        expect(JSON.stringify(body)).not.toContain('pwd-plain');
      });

      it('answers psk credentials with no-cache', async () => {
        const reply = await getCredentials(tenant, { type: 'psk', 'auth-id': 'sensor-psk' });
        expect(reply.properties).toMatchObject({ status: 200, cache_control: 'no-cache' });
        expect((bodyOf(reply)['secrets'] as Json[])[0]?.['key']).toBe('a2V5');
      });

      it('matches the client context against ext: equal or absent members pass, others 404', async () => {
        const ok = { type: 'hashed-password', 'auth-id': 'sensor' };
        expect((await getCredentials(tenant, { ...ok, model: 'x1' })).properties?.['status']).toBe(
          200,
        );
        expect((await getCredentials(tenant, { ...ok, unrelated: 7 })).properties?.['status']).toBe(
          200,
        );
        expect((await getCredentials(tenant, { ...ok, model: 'x2' })).properties?.['status']).toBe(
          404,
        );
      });

      it('answers 404 for unknown, disabled or wrongly typed credentials and unknown tenants', async () => {
        const status = async (t: string, body: Json): Promise<unknown> =>
          (await getCredentials(t, body)).properties?.['status'];
        expect(await status(tenant, { type: 'hashed-password', 'auth-id': 'nobody' })).toBe(404);
        expect(await status(tenant, { type: 'hashed-password', 'auth-id': 'off' })).toBe(404);
        expect(await status(tenant, { type: 'psk', 'auth-id': 'sensor' })).toBe(404);
        expect(
          await status(uniqueId('gone'), { type: 'hashed-password', 'auth-id': 'sensor' }),
        ).toBe(404);
        // Credentials of another tenant are unknown here.
        const other = await newTenant();
        expect(await status(other, { type: 'hashed-password', 'auth-id': 'sensor' })).toBe(404);
      });

      it('answers 400 for malformed requests and 501 for the lookup by device-id', async () => {
        const status = async (body: unknown, subject = 'get'): Promise<unknown> =>
          (await getCredentials(tenant, body, subject)).properties?.['status'];
        expect(await status({ 'auth-id': 'sensor' })).toBe(400);
        expect(await status({ type: 'hashed-password' })).toBe(400);
        expect(
          await status({ type: 'hashed-password', 'auth-id': 'sensor', 'device-id': 'dev' }),
        ).toBe(400);
        expect(await status('{"type": "hashed-pa')).toBe(400);
        expect(await status([1, 2])).toBe(400);
        await expect(
          getCredentials(tenant, { type: 'hashed-password', 'auth-id': 'sensor' }, 'assert'),
        ).rejects.toMatchObject({ code: 'REJECTED' });
        expect(await status({ type: 'hashed-password', 'device-id': 'dev' })).toBe(501);
      });

      it('answers 400 when the client certificate’s subject is not the auth-id', async () => {
        const dir = mkdtempSync(join(tmpdir(), 'tessera-cert-'));
        const made = await runProgram('openssl', [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:P-256',
          '-nodes',
          '-keyout',
          join(dir, 'key.pem'),
          '-out',
          join(dir, 'cert.pem'),
          '-days',
          '2',
          '-subj',
          '/O=Tessera/CN=device-42',
        ]);
        expect(made.code).toBe(0);
        const der = readFileSync(join(dir, 'cert.pem'), 'utf8')
          .replace(/-----(BEGIN|END) CERTIFICATE-----/g, '')
          .replace(/\s+/g, '');
        const request = (authId: string): Json => ({
          type: 'x509-cert',
          'auth-id': authId,
          'client-certificate': der,
        });
        const mismatch = await getCredentials(tenant, request('CN=someone-else,O=Tessera'));
        expect(mismatch.properties?.['status']).toBe(400);
        // The matching subject passes the check and is then looked up (no such credentials yet).
        const matching = await getCredentials(tenant, request('CN=device-42,O=Tessera'));
        expect(matching.properties?.['status']).toBe(404);
        const garbage = await getCredentials(tenant, {
          ...request('CN=x'),
          'client-certificate': 'AAAA',
        });
        expect(garbage.properties?.['status']).toBe(400);
      });
    });

    describe('SASL PLAIN users and their grants', () => {
      it('refuses a connection with a wrong password or an unknown user', async () => {
        for (const url of [
          `amqp://${ADAPTER.name}:wrong@127.0.0.1:${String(port)}`,
          `amqp://nobody:${ADAPTER.password}@127.0.0.1:${String(port)}`,
          `amqp://127.0.0.1:${String(port)}`,
        ]) {
          const intruder = new AmqpRequestResponseClient({
            url,
            reconnect: false,
            connectTimeoutMs: 2_000,
          });
          await expect(intruder.start()).rejects.toBeInstanceOf(MessagingError);
          await intruder.stop();
        }
      });

      it('lets a scoped user assert in its tenant only and refuses every other address', async () => {
        const tenant = await newTenant(scopedTenant);
        await newDevice(tenant, 'dev');
        const scoped = new AmqpRequestResponseClient({
          url: `amqp://${SCOPED.name}:${SCOPED.password}@127.0.0.1:${String(port)}`,
        });
        await scoped.start();
        try {
          const ok = await assert(tenant, { device_id: 'dev' }, 'assert', scoped);
          expect(ok.properties?.['status']).toBe(200);
          // Another operation on its own address: the request is rejected, unanswered.
          await expect(assert(tenant, { device_id: 'dev' }, 'get', scoped)).rejects.toMatchObject({
            code: 'REJECTED',
          });
          // Other tenants' and other APIs' addresses: the link is refused.
          await expect(
            assert(await newTenant(), { device_id: 'dev' }, 'assert', scoped),
          ).rejects.toThrow(/refused/);
          await expect(
            scoped.request(`credentials/${tenant}`, {
              subject: 'get',
              body: Buffer.from('{"type":"psk","auth-id":"x"}'),
            }),
          ).rejects.toThrow(/refused/);
          await expect(
            scoped.request('tenant', {
              subject: 'get',
              body: Buffer.from(`{"tenant-id":"${tenant}"}`),
            }),
          ).rejects.toThrow(/refused/);
        } finally {
          await scoped.stop();
        }
      });
    });

    it('serves Qpid Proton (SASL PLAIN) in Hono’s message format', async () => {
      const tenant = await newTenant();
      await newDevice(tenant, 'dev', { via: ['gw'] });
      await newDevice(tenant, 'gw');
      expect(
        await manage('PUT', `/v1/credentials/${tenant}/dev`, [
          { type: 'hashed-password', 'auth-id': 'sensor', secrets: [{ 'pwd-plain': 'pw' }] },
        ]),
      ).toBe(204);
      const script = `
import sys, json, uuid
from proton import Message
from proton.utils import BlockingConnection
port, tenant, user, password = sys.argv[1:5]
conn = BlockingConnection(f"127.0.0.1:{port}", user=user, password=password, allowed_mechs="PLAIN")
senders = {}
def call(address, msg):
    # One sender per address, as Hono's clients keep them (Proton names links after their address).
    if address not in senders:
        senders[address] = conn.create_sender(address)
    reply_to = f"{address}/{uuid.uuid4()}"
    rcv = conn.create_receiver(reply_to)
    msg.reply_to = reply_to
    senders[address].send(msg)
    r = rcv.receive(timeout=10)
    rcv.accept()
    rcv.close()
    return r
r = call(f"registration/{tenant}", Message(id=uuid.UUID(int=7), subject="assert", properties={"device_id": "dev", "gateway_id": "gw"}))
print(repr(r.correlation_id), repr(r.properties["status"]), r.properties["cache_control"], r.properties["device_id"], json.loads(bytes(r.body))["via"])
r = call(f"credentials/{tenant}", Message(correlation_id="corr-9", id="msg-9", subject="get", content_type="application/json",
         body=json.dumps({"type": "hashed-password", "auth-id": "sensor"}).encode()))
print(r.correlation_id, repr(r.properties["status"]), r.properties["cache_control"], r.content_type, json.loads(bytes(r.body))["device-id"])
r = call(f"registration/{tenant}", Message(id="msg-10", subject="assert", properties={"device_id": "nobody"}))
print(r.correlation_id, repr(r.properties["status"]))
conn.close()
`;
      const result = await runProgram('/usr/bin/python3', [
        '-c',
        script,
        String(port),
        tenant,
        ADAPTER.name,
        ADAPTER.password,
      ]);
      expect(result.stderr).toBe('');
      expect(result.stdout.trim().split('\n')).toEqual([
        "UUID('00000000-0000-0000-0000-000000000007') int32(200) max-age=300 dev ['gw']",
        'corr-9 int32(200) max-age=180 application/json dev',
        'msg-10 int32(404)',
      ]);
    });
  });
}

describeRegistryAmqp('PostgreSQL', () => ({
  PERSISTENCE_DRIVER: 'postgres',
  POSTGRES_URL: postgresUrl,
  POSTGRES_SCHEMA: uniqueId('regamqp'),
}));

describeRegistryAmqp('MongoDB', () => ({
  PERSISTENCE_DRIVER: 'mongodb',
  MONGODB_URI: mongodbUri,
  MONGODB_DATABASE: uniqueId('regamqp'),
}));
