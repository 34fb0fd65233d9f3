import { type DynamicModule, type INestApplication, Module } from '@nestjs/common';

import { loadConfig } from '@tessera/config';
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
  resolveManagementAuth,
} from '@tessera/registry-kit';
import { createHttpApp } from '@tessera/service-nest';
import { TenantModule } from '@tessera/tenant-service';
import { infraEnv, runProgram, uniqueId } from '@tessera/testing';

const { postgresUrl } = infraEnv();

@Module({})
class TenantApiTestApp {}

function appModule(): DynamicModule {
  const config = loadConfig(
    { persistence: PersistenceConfig, kafka: KafkaConfig, auth: ManagementAuthConfig },
    {
      PERSISTENCE_DRIVER: 'postgres',
      POSTGRES_URL: postgresUrl,
      POSTGRES_SCHEMA: uniqueId('tenantapi'),
      MANAGEMENT_AUTH: 'none',
    },
  );
  return {
    module: TenantApiTestApp,
    imports: [
      PersistenceModule.forRoot(config.persistence),
      MessagingModule.forRoot(config.kafka, { consumerGroup: 'tenant-api-it' }),
      ManagementAuthModule.forRoot(
        resolveManagementAuth(config.auth, { embeddedDevMode: true, host: '127.0.0.1' }),
      ),
      AmqpEndpointModule.forRoot({
        host: '127.0.0.1',
        port: 0,
        security: { allowAnonymous: true },
      }),
      TenantModule,
    ],
  };
}

describe('Tenant API over AMQP 1.0 (Hono)', () => {
  let app: INestApplication;
  let base = '';
  let amqpPort = 0;
  let client: AmqpRequestResponseClient;
  const tenant = uniqueId('t');

  beforeAll(async () => {
    const started = await createHttpApp(appModule(), {
      host: '127.0.0.1',
      port: 0,
      bodyLimit: '16kb',
    });
    app = started.app;
    base = `http://127.0.0.1:${String(started.port)}`;
    amqpPort = app.get<AmqpEndpoint>(AMQP_ENDPOINT).port ?? 0;
    const created = await fetch(`${base}/v1/tenants/${tenant}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        enabled: true,
        alias: `alias-${tenant.replace(/_/g, '-').toLowerCase()}`,
        adapters: [{ type: 'hono-mqtt', enabled: true }],
      }),
    });
    expect(created.status).toBe(201);
    client = new AmqpRequestResponseClient({ url: `amqp://127.0.0.1:${String(amqpPort)}` });
    await client.start();
  });

  afterAll(async () => {
    await client.stop();
    await app.close();
  });

  const get = (body: unknown, subject = 'get') =>
    client.request('tenant', {
      subject,
      contentType: 'application/json',
      body: Buffer.from(JSON.stringify(body)),
    });

  it('answers get by tenant-id and by alias with the tenant object, status 200 and a cache directive', async () => {
    for (const id of [tenant, `alias-${tenant.replace(/_/g, '-').toLowerCase()}`]) {
      const reply = await get({ 'tenant-id': id });
      expect(reply.properties).toMatchObject({
        status: 200,
        tenant_id: tenant,
        cache_control: 'max-age=180',
      });
      const body = JSON.parse(reply.body?.toString() ?? '{}') as Record<string, unknown>;
      expect(body).toMatchObject({ 'tenant-id': tenant, enabled: true });
      expect(body['adapters']).toEqual([
        expect.objectContaining({ type: 'hono-mqtt', enabled: true }),
      ]);
    }
  });

  it('answers 404 for unknown tenants and 400 for bad requests', async () => {
    expect((await get({ 'tenant-id': uniqueId('none') })).properties?.['status']).toBe(404);
    expect((await get({})).properties?.['status']).toBe(400);
    expect((await get({ 'subject-dn': 'not a dn ===' })).properties?.['status']).toBe(400);
    expect((await get({ 'tenant-id': tenant }, 'delete')).properties?.['status']).toBe(400);
    const garbage = await client.request('tenant', {
      subject: 'get',
      body: Buffer.from('{"tenant-id": '),
    });
    expect(garbage.properties?.['status']).toBe(400);
  });

  it('serves Qpid Proton in Hono’s message format', async () => {
    const script = `
import sys, json
from proton import Message
from proton.utils import BlockingConnection
conn = BlockingConnection(f"127.0.0.1:{sys.argv[1]}", allowed_mechs="ANONYMOUS")
rcv = conn.create_receiver("tenant/proton-reply")
snd = conn.create_sender("tenant")
snd.send(Message(id="req-1", reply_to="tenant/proton-reply", subject="get", content_type="application/json",
                 body=json.dumps({"tenant-id": sys.argv[2]}).encode()))
r = rcv.receive(timeout=10)
rcv.accept()
conn.close()
print(r.correlation_id, repr(r.properties["status"]), r.properties["cache_control"], json.loads(bytes(r.body))["tenant-id"])
`;
    const result = await runProgram('/usr/bin/python3', ['-c', script, String(amqpPort), tenant]);
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe(`req-1 int32(200) max-age=180 ${tenant}`);
  });
});
