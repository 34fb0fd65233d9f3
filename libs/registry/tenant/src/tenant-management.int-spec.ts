import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { type DynamicModule, type INestApplication, Module } from '@nestjs/common';
import bcrypt from 'bcryptjs';

import { loadConfig } from '@tessera/config';
import type { MessageReceiver } from '@tessera/messaging';
import { KafkaConfig, MessagingModule, NOTIFICATION_RECEIVER } from '@tessera/messaging-nest';
import { TenantRepository } from '@tessera/persistence';
import { PersistenceConfig, PersistenceModule } from '@tessera/persistence-nest';
import {
  TenantChangeNotificationSchema,
  type TenantChangeNotification,
} from '@tessera/registry-api';
import {
  ManagementAuthConfig,
  ManagementAuthModule,
  resolveManagementAuth,
} from '@tessera/registry-kit';
import { createHttpApp, HealthModule } from '@tessera/service-nest';
import { infraEnv, OpenApiValidator, readHonoJson, runProgram, uniqueId } from '@tessera/testing';

import { TenantModule } from './tenant.module';
import { publicKeyCa } from './testing/fixtures';

const { postgresUrl, mongodbUri } = infraEnv();
const spec = OpenApiValidator.honoDeviceRegistry();
const PASSWORD = 'tenant-it-secret';
const AUTH = `Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const BODY_LIMIT = '16kb'; // Hono's hono.registry.http.maxPayloadSize is 16000 bytes

@Module({ imports: [HealthModule] })
class TenantTestApp {}

function appModule(env: Record<string, string>): DynamicModule {
  const config = loadConfig(
    { persistence: PersistenceConfig, kafka: KafkaConfig, auth: ManagementAuthConfig },
    {
      ...env,
      MANAGEMENT_USERS: `admin:${bcrypt.hashSync(PASSWORD, 4)}`,
    },
  );
  const auth = resolveManagementAuth(config.auth, { embeddedDevMode: false, host: '127.0.0.1' });
  return {
    module: TenantTestApp,
    imports: [
      PersistenceModule.forRoot(config.persistence),
      // No KAFKA_BROKERS in this env: notifications go through the in-process broker.
      MessagingModule.forRoot(config.kafka, { consumerGroup: 'tenant-it' }),
      ManagementAuthModule.forRoot(auth),
      TenantModule,
    ],
  };
}

interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
}

interface CallOptions {
  /** JSON-encoded as the body. */
  readonly body?: unknown;
  /** Sent as is (takes precedence over `body`). */
  readonly raw?: string;
  /** Default application/json when there is a body; null sends none. */
  readonly contentType?: string | null;
  readonly headers?: Record<string, string>;
  /** Default: the right credentials; null sends none. */
  readonly auth?: string | null;
  /** The status is one the OpenAPI file does not list for the operation (the body is still checked). */
  readonly undocumented?: boolean;
}

function describeTenantApi(store: string, env: () => Record<string, string>): void {
  describe(`Tenant management API on ${store}`, () => {
    let app: INestApplication;
    let base: string;
    let repository: TenantRepository;
    const notifications: TenantChangeNotification[] = [];

    beforeAll(async () => {
      const started = await createHttpApp(appModule(env()), {
        host: '127.0.0.1',
        port: 0,
        bodyLimit: BODY_LIMIT,
      });
      app = started.app;
      base = `http://127.0.0.1:${String(started.port)}`;
      repository = app.get(TenantRepository);
      await app
        .get<MessageReceiver>(NOTIFICATION_RECEIVER)
        .subscribe('hono.notification.registry-tenant', async (message) => {
          notifications.push(
            TenantChangeNotificationSchema.parse(
              JSON.parse(message.body?.toString('utf8') ?? 'null'),
            ),
          );
        });
    });

    afterAll(async () => {
      await app.close();
    });

    /**
     * Waits until the relay has published and acknowledged every notification. Besides checking that
     * each write's notification goes out, this keeps writes of the test from racing the relay's
     * acknowledgements, which FerretDB 1.x does not isolate from them (lost updates).
     */
    async function drained(): Promise<void> {
      for (let waited = 0; waited < 10_000; waited += 20) {
        if ((await repository.pendingNotifications(1)).length === 0) return;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new Error('the outbox was not drained within 10 s');
    }

    /** One request; every `/v1` response is checked against Hono's OpenAPI file. */
    async function call(method: string, path: string, options: CallOptions = {}): Promise<Reply> {
      const headers: Record<string, string> = { ...options.headers };
      if (options.auth !== null) headers['authorization'] = options.auth ?? AUTH;
      const payload =
        options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
      if (payload !== undefined && options.contentType !== null) {
        headers['content-type'] = options.contentType ?? 'application/json';
      }
      const response = await fetch(`${base}${path}`, {
        method,
        headers,
        // Bytes, so that fetch adds no content type of its own.
        ...(payload === undefined ? {} : { body: new TextEncoder().encode(payload) }),
      });
      const text = await response.text();
      const json = response.headers.get('content-type')?.startsWith('application/json') === true;
      const body: unknown = text === '' ? undefined : json ? JSON.parse(text) : text;
      if (path.startsWith('/v1/')) {
        spec.assertResponse(method, path, response.status, body, {
          allowUndocumentedStatus: options.undocumented === true,
        });
      }
      if (method !== 'GET' && response.status < 300) await drained();
      return { status: response.status, headers: response.headers, body };
    }

    const tenantPath = (id: string) => `/v1/tenants/${encodeURIComponent(id)}`;
    const newId = () => uniqueId('t');

    async function countTenants(): Promise<number> {
      const reply = await call('GET', '/v1/tenants?pageSize=0');
      return reply.status === 404 ? 0 : (reply.body as { total: number }).total;
    }

    async function search(params: Record<string, string | string[]>): Promise<Reply> {
      const query = new URLSearchParams();
      for (const [name, value] of Object.entries(params)) {
        for (const v of Array.isArray(value) ? value : [value]) query.append(name, v);
      }
      return call('GET', `/v1/tenants?${query.toString()}`);
    }

    async function notificationsOf(id: string, count: number): Promise<TenantChangeNotification[]> {
      for (let waited = 0; waited < 10_000; waited += 50) {
        const found = notifications.filter((n) => n['tenant-id'] === id);
        if (found.length >= count) return found;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return notifications.filter((n) => n['tenant-id'] === id);
    }

    describe('create', () => {
      it('answers 201 with Location, ETag and {"id"}; the tenant reads back with that ETag', async () => {
        const id = newId();
        const tenant = {
          enabled: true,
          ext: { brand: 'acme' },
          adapters: [{ type: 'hono-http', enabled: true }],
        };
        const created = await call('POST', tenantPath(id), { body: tenant });
        expect(created.status).toBe(201);
        expect(created.body).toEqual({ id });
        expect(created.headers.get('location')).toBe(`/v1/tenants/${id}`);
        const etag = created.headers.get('etag');
        expect(etag).toMatch(/\S/);

        const read = await call('GET', created.headers.get('location') ?? '');
        expect(read.status).toBe(200);
        expect(read.body).toEqual(tenant);
        expect(read.headers.get('etag')).toBe(etag);
      });

      it('generates a UUID when no id is given', async () => {
        const created = await call('POST', '/v1/tenants', { body: { ext: { generated: true } } });
        expect(created.status).toBe(201);
        const { id } = created.body as { id: string };
        expect(id).toMatch(UUID);
        expect(created.headers.get('location')).toBe(`/v1/tenants/${id}`);
        expect(created.headers.get('etag')).toMatch(/\S/);
        expect((await call('GET', tenantPath(id))).body).toEqual({ ext: { generated: true } });
      });

      it('accepts an empty body, with or without a content type', async () => {
        const generated = await call('POST', '/v1/tenants');
        expect(generated.status).toBe(201);
        const id = newId();
        const withType = await call('POST', tenantPath(id), { raw: '' });
        expect(withType.status).toBe(201);
        expect((await call('GET', tenantPath(id))).body).toEqual({});
      });

      it('creates every example tenant of Hono and reads it back equal', async () => {
        const examples = readHonoJson('example-tenants.json') as Record<string, unknown>[];
        expect(examples.length).toBeGreaterThan(0);
        for (const { 'tenant-id': name, ...tenant } of examples) {
          const id = `${uniqueId('ex')}.${String(name)}`;
          expect((await call('POST', tenantPath(id), { body: tenant })).status).toBe(201);
          const cas = tenant['trusted-ca'] as Record<string, unknown>[] | undefined;
          const expected =
            cas === undefined
              ? tenant
              : {
                  ...tenant,
                  'trusted-ca': cas.map((ca) => ({ ...ca, id: expect.any(String) as unknown })),
                };
          expect((await call('GET', tenantPath(id))).body).toEqual(expected);
        }
      });

      it('takes DN, key, algorithm and validity from a CA cert, exactly as Java prints the DN', async () => {
        const dir = mkdtempSync(join(tmpdir(), 'tenant-it-'));
        const subject = '/C=DE/O=ACME\\, Inc./OU=IoT+OU=Lab/CN=Devices CA';
        const openssl = await runProgram('openssl', [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-days',
          '30',
          '-subj',
          subject,
          '-keyout',
          join(dir, 'ca.key'),
          '-outform',
          'DER',
          '-out',
          join(dir, 'ca.der'),
        ]);
        expect(openssl.code).toBe(0);
        const der = readFileSync(join(dir, 'ca.der'));
        // An independent oracle: what Hono's Java code derives from the same certificate.
        writeFileSync(
          join(dir, 'Derive.java'),
          [
            'import java.io.*; import java.security.cert.*; import java.util.Base64;',
            'import javax.security.auth.x500.X500Principal;',
            'public class Derive { public static void main(String[] a) throws Exception {',
            '  X509Certificate c = (X509Certificate) CertificateFactory.getInstance("X.509")',
            '      .generateCertificate(new FileInputStream(a[0]));',
            '  System.out.println(c.getSubjectX500Principal().getName(X500Principal.RFC2253));',
            '  System.out.println(Base64.getEncoder().encodeToString(c.getPublicKey().getEncoded()));',
            '  System.out.println(c.getPublicKey().getAlgorithm());',
            '  System.out.println(c.getNotBefore().toInstant()); System.out.println(c.getNotAfter().toInstant());',
            '} }',
          ].join('\n'),
        );
        const java = await runProgram('java', [join(dir, 'Derive.java'), join(dir, 'ca.der')], {
          timeoutMs: 60_000,
        });
        expect(java.stderr).toBe('');
        const [dn, key, algorithm, notBefore, notAfter] = java.stdout.trim().split('\n');

        const id = newId();
        const cert = der.toString('base64');
        expect(
          (await call('POST', tenantPath(id), { body: { 'trusted-ca': [{ cert }] } })).status,
        ).toBe(201);
        const read = (await call('GET', tenantPath(id))).body as {
          'trusted-ca': Record<string, unknown>[];
        };
        expect(read['trusted-ca'][0]).toEqual({
          id: expect.stringMatching(UUID) as unknown,
          cert,
          'subject-dn': dn,
          'subject-dn-bytes': expect.any(String) as unknown,
          'public-key': key,
          algorithm,
          'not-before': notBefore,
          'not-after': notAfter,
        });
        expect(dn).toBe('CN=Devices CA,OU=IoT+OU=Lab,O=ACME\\, Inc.,C=DE');
        // The same DN given by public key is the same CA: another tenant may not use it.
        const other = await call('POST', tenantPath(newId()), {
          body: {
            'trusted-ca': [publicKeyCa('cn=Devices CA, ou=IoT+ou=Lab, o=ACME\\, Inc., c=DE')],
          },
        });
        expect(other.status).toBe(409);
      });
    });

    describe('bad input', () => {
      const cases: [string, string, CallOptions][] = [
        ['an unknown property', 'POST', { body: { unexpected: 'property' } }],
        ['a wrongly typed member', 'POST', { body: { enabled: 'yes' } }],
        [
          'a wrongly typed nested member',
          'POST',
          { body: { 'resource-limits': { 'max-ttl': 'long' } } },
        ],
        ['malformed JSON', 'POST', { raw: '{"enabled": tru' }],
        ['a JSON array', 'POST', { body: [{}] }],
        [
          'duplicate adapter types',
          'POST',
          { body: { adapters: [{ type: 'hono-http' }, { type: 'hono-http' }] } },
        ],
        [
          'duplicate trust anchor ids',
          'POST',
          {
            body: {
              'trusted-ca': [publicKeyCa('CN=a', { id: 'x' }), publicKeyCa('CN=b', { id: 'x' })],
            },
          },
        ],
        [
          'an invalid template',
          'POST',
          {
            body: { 'trusted-ca': [publicKeyCa('CN=a', { 'auth-id-template': 'no-placeholder' })] },
          },
        ],
        [
          'a malformed public key',
          'POST',
          {
            body: {
              'trusted-ca': [
                publicKeyCa('CN=a', {
                  'public-key': Buffer.from('NotBased64Encoded').toString('base64'),
                }),
              ],
            },
          },
        ],
        [
          'a malformed cert',
          'POST',
          { body: { 'trusted-ca': [{ cert: Buffer.from('no cert').toString('base64') }] } },
        ],
        ['a text/plain body', 'POST', { raw: '{}', contentType: 'text/plain' }],
        [
          'a form body (Hono IT testAddTenantFailsForWrongContentType)',
          'POST',
          { raw: 'enabled=true', contentType: 'application/x-www-form-urlencoded' },
        ],
        ['a body without content type', 'POST', { raw: '{}', contentType: null }],
      ];

      it.each(cases)('answers 400 for %s and stores nothing', async (_, method, options) => {
        const before = await countTenants();
        const id = newId();
        const reply = await call(method, tenantPath(id), options);
        expect(reply.status).toBe(400);
        expect(reply.body).toEqual({ error: expect.any(String) as unknown });
        const generated = await call(method, '/v1/tenants', options);
        expect(generated.status).toBe(400);
        expect((await call('GET', tenantPath(id))).status).toBe(404);
        expect(await countTenants()).toBe(before);
      });

      it('answers 400 for invalid ids on every operation', async () => {
        const bad = '/v1/tenants/invalid%20tenantid%24';
        expect((await call('POST', bad)).status).toBe(400);
        expect((await call('GET', bad)).status).toBe(400);
        expect((await call('PUT', bad, { body: {} })).status).toBe(400);
        // deleteTenant lists no 400 in the OpenAPI file; Hono answers 400 for invalid ids anyway.
        expect((await call('DELETE', bad, { undocumented: true })).status).toBe(400);
        expect((await call('POST', `/v1/tenants/${'x'.repeat(257)}`)).status).toBe(400);
      });

      it('answers 400 for updates with a wrong content type, without body or with bad JSON', async () => {
        const id = newId();
        const { headers } = await call('POST', tenantPath(id), { body: { ext: { v: 1 } } });
        for (const options of [
          { raw: '{"enabled":false}', contentType: 'text/plain' },
          {},
          { raw: '{', contentType: 'application/json' },
          { body: { enabled: 'no' } },
        ] satisfies CallOptions[]) {
          expect((await call('PUT', tenantPath(id), options)).status).toBe(400);
        }
        const read = await call('GET', tenantPath(id));
        expect(read.body).toEqual({ ext: { v: 1 } });
        expect(read.headers.get('etag')).toBe(headers.get('etag'));
      });

      it('answers 413 for bodies over the limit and stores nothing', async () => {
        const before = await countTenants();
        const id = newId();
        const big = { ext: { padding: 'x'.repeat(20_000) } };
        expect((await call('POST', tenantPath(id), { body: big })).status).toBe(413);
        expect((await call('POST', '/v1/tenants', { body: big })).status).toBe(413);
        expect((await call('GET', tenantPath(id))).status).toBe(404);
        expect(await countTenants()).toBe(before);
      });
    });

    describe('conflicts', () => {
      it('answers 409 for a duplicate id and a duplicate alias', async () => {
        const id = newId();
        const alias = `alias-${id.slice(2).replace(/_/g, '-')}`;
        expect((await call('POST', tenantPath(id), { body: { alias } })).status).toBe(201);
        expect((await call('POST', tenantPath(id), { body: {} })).status).toBe(409);
        const other = newId();
        expect((await call('POST', tenantPath(other), { body: { alias } })).status).toBe(409);
        expect((await call('GET', tenantPath(other))).status).toBe(404);
        expect((await call('POST', tenantPath(other), {})).status).toBe(201);
        expect((await call('PUT', tenantPath(other), { body: { alias } })).status).toBe(409);
      });

      it('answers 409 for a CA subject DN of another tenant, 201 within one trust anchor group', async () => {
        const run = newId();
        const dn = `CN=${run},O=Tessera`;
        expect(
          (
            await call('POST', tenantPath(`${run}-a`), {
              body: { 'trusted-ca': [publicKeyCa(dn)] },
            })
          ).status,
        ).toBe(201);
        expect(
          (
            await call('POST', tenantPath(`${run}-b`), {
              body: { 'trusted-ca': [publicKeyCa(dn)] },
            })
          ).status,
        ).toBe(409);
        expect((await call('GET', tenantPath(`${run}-b`))).status).toBe(404);

        const shared = `CN=${run}-shared,O=Tessera`;
        const grouped = {
          'trust-anchor-group': `group-${run}`,
          'trusted-ca': [publicKeyCa(shared)],
        };
        expect((await call('POST', tenantPath(`${run}-g1`), { body: grouped })).status).toBe(201);
        expect((await call('POST', tenantPath(`${run}-g2`), { body: grouped })).status).toBe(201);
        const ungrouped = { 'trusted-ca': [publicKeyCa(shared)] };
        expect((await call('POST', tenantPath(`${run}-n`), { body: ungrouped })).status).toBe(409);
        expect((await call('POST', tenantPath(`${run}-n`), {})).status).toBe(201);
        expect((await call('PUT', tenantPath(`${run}-n`), { body: ungrouped })).status).toBe(409);
        expect((await call('GET', tenantPath(`${run}-n`))).body).toEqual({});
      });

      it('answers 409 for an id that equals another tenant’s once . is _ (Kafka topic names)', async () => {
        const run = newId();
        expect((await call('POST', tenantPath(`${run}.x_y`), {})).status).toBe(201);
        const refused = await call('POST', tenantPath(`${run}_x.y`), {});
        expect(refused.status).toBe(409);
        expect(refused.body).toEqual({
          error: expect.stringContaining(`collides with the existing tenant ${run}.x_y`) as unknown,
        });
        expect((await call('GET', tenantPath(`${run}_x.y`))).status).toBe(404);
        expect((await call('POST', tenantPath(`${run}.x-y`), {})).status).toBe(201);
      });
    });

    describe('read, update, delete', () => {
      it('answers 404 for unknown tenants', async () => {
        const id = newId();
        expect((await call('GET', tenantPath(id))).status).toBe(404);
        expect((await call('PUT', tenantPath(id), { body: {} })).status).toBe(404);
        expect((await call('DELETE', tenantPath(id))).status).toBe(404);
        expect((await call('GET', tenantPath(id))).status).toBe(404);
      });

      it('replaces with 204 and a new ETag, checks If-Match (412) and notifies every change', async () => {
        const id = newId();
        const created = await call('POST', tenantPath(id), { body: { ext: { v: 1 } } });
        const v1 = created.headers.get('etag') ?? '';

        const stale = await call('PUT', tenantPath(id), {
          body: { enabled: false },
          headers: { 'if-match': 'not-the-version' },
        });
        expect(stale.status).toBe(412);
        expect((await call('GET', tenantPath(id))).body).toEqual({ ext: { v: 1 } });

        const updated = await call('PUT', tenantPath(id), {
          body: { enabled: false, ext: { 'invalidate-cache-on-update': true } },
          headers: { 'if-match': v1 },
        });
        expect(updated.status).toBe(204);
        const v2 = updated.headers.get('etag') ?? '';
        expect(v2).toMatch(/\S/);
        expect(v2).not.toBe(v1);
        const read = await call('GET', tenantPath(id));
        expect(read.body).toEqual({ enabled: false, ext: { 'invalidate-cache-on-update': true } });
        expect(read.headers.get('etag')).toBe(v2);

        // Quoted (RFC 9110) and unconditional updates work too.
        const quoted = await call('PUT', tenantPath(id), {
          body: { enabled: true },
          headers: { 'if-match': `"${v2}"` },
        });
        expect(quoted.status).toBe(204);
        const v3 = quoted.headers.get('etag') ?? '';

        expect((await call('DELETE', tenantPath(id), { headers: { 'if-match': v1 } })).status).toBe(
          412,
        );
        expect((await call('GET', tenantPath(id))).status).toBe(200);
        expect((await call('DELETE', tenantPath(id), { headers: { 'if-match': v3 } })).status).toBe(
          204,
        );
        expect((await call('GET', tenantPath(id))).status).toBe(404);

        const changes = await notificationsOf(id, 4);
        expect(changes.map((n) => [n.change, n.enabled, n['invalidate-cache-on-update']])).toEqual([
          ['CREATE', true, false],
          ['UPDATE', false, true],
          ['UPDATE', true, false],
          ['DELETE', false, false],
        ]);
      });

      it('deletes without If-Match', async () => {
        const id = newId();
        await call('POST', tenantPath(id));
        expect((await call('DELETE', tenantPath(id))).status).toBe(204);
        expect((await call('DELETE', tenantPath(id))).status).toBe(404);
      });
    });

    describe('search', () => {
      const run = uniqueId('s');
      const filter = (field: string, value: unknown) => JSON.stringify({ field, value });
      const mine = filter('/ext/run', run);

      beforeAll(async () => {
        const tenants: [string, Record<string, unknown>][] = [
          ['a', { enabled: true, ext: { run, brand: 'eclipse-hono', n: 1 } }],
          ['b', { enabled: false, ext: { run, brand: 'eclipse-ditto', n: 2 } }],
          ['c', { enabled: true, ext: { run, brand: 'other', n: 3 } }],
        ];
        for (const [suffix, tenant] of tenants) {
          expect(
            (await call('POST', tenantPath(`${run}-${suffix}`), { body: tenant })).status,
          ).toBe(201);
        }
      });

      const ids = (reply: Reply) =>
        (reply.body as { result: { id: string }[] }).result.map((t) => t.id);

      it('finds tenants by filter, with {total, result: [{id, …tenant}]}', async () => {
        const reply = await search({ filterJson: [mine, filter('/enabled', false)] });
        expect(reply.status).toBe(200);
        expect(reply.body).toEqual({
          total: 1,
          result: [{ id: `${run}-b`, enabled: false, ext: { run, brand: 'eclipse-ditto', n: 2 } }],
        });
      });

      it('supports the wildcards * and ?', async () => {
        expect(ids(await search({ filterJson: [mine, filter('/ext/brand', 'eclipse*')] }))).toEqual(
          [`${run}-a`, `${run}-b`],
        );
        expect(
          ids(await search({ filterJson: [mine, filter('/ext/brand', 'eclipse-h?no')] })),
        ).toEqual([`${run}-a`]);
        expect((await search({ filterJson: [mine, filter('/ext/brand', '*id*2')] })).status).toBe(
          404,
        );
      });

      it('sorts and pages (pageOffset counts pages, as in Hono)', async () => {
        const desc = JSON.stringify({ field: '/ext/n', direction: 'desc' });
        expect(ids(await search({ filterJson: mine, sortJson: desc }))).toEqual([
          `${run}-c`,
          `${run}-b`,
          `${run}-a`,
        ]);
        const page = await search({
          filterJson: mine,
          sortJson: desc,
          pageSize: '1',
          pageOffset: '1',
        });
        expect(page.body).toMatchObject({ total: 3 });
        expect(ids(page)).toEqual([`${run}-b`]);
        const second = await search({
          filterJson: mine,
          sortJson: JSON.stringify({ field: '/ext/n' }),
          pageSize: '2',
          pageOffset: '1',
        });
        expect(ids(second)).toEqual([`${run}-c`]);
        expect(await search({ filterJson: mine, pageSize: '0' })).toMatchObject({
          status: 200,
          body: { total: 3, result: [] },
        });
      });

      it('answers 404 when nothing matches and 400 for malformed queries', async () => {
        expect((await search({ filterJson: [mine, filter('/ext/brand', 'none')] })).status).toBe(
          404,
        );
        const malformed: Record<string, string>[] = [
          { pageSize: '201' },
          { pageSize: '-100' },
          { pageOffset: '-100' },
          { pageSize: 'ten' },
          { filterJson: 'Invalid filterJson' },
          { filterJson: JSON.stringify({ field: 'no-pointer', value: 1 }) },
          { sortJson: JSON.stringify({ field: '/ext/n', direction: 'up' }) },
        ];
        for (const params of malformed) {
          expect((await search(params)).status).toBe(400);
        }
      });
    });

    describe('authentication', () => {
      it('answers 401 with WWW-Authenticate without or with wrong credentials', async () => {
        for (const auth of [
          null,
          `Basic ${Buffer.from('admin:wrong').toString('base64')}`,
          'Bearer token',
        ]) {
          const reply = await call('GET', '/v1/tenants?pageSize=0', { auth });
          expect(reply.status).toBe(401);
          expect(reply.headers.get('www-authenticate')).toBe('Basic realm="Tessera"');
          expect(reply.body).toEqual({ error: expect.any(String) as unknown });
        }
        const id = newId();
        expect((await call('POST', tenantPath(id), { auth: null, body: {} })).status).toBe(401);
        expect((await call('GET', tenantPath(id))).status).toBe(404);
      });

      it('lets the right credentials in and keeps probes and metrics open', async () => {
        expect((await call('GET', '/v1/tenants?pageSize=0')).status).toBeLessThan(401);
        for (const path of ['/liveness', '/readiness', '/metrics']) {
          expect((await call('GET', path, { auth: null })).status).toBe(200);
        }
      });
    });
  });
}

describeTenantApi('PostgreSQL', () => ({
  PERSISTENCE_DRIVER: 'postgres',
  POSTGRES_URL: postgresUrl,
  POSTGRES_SCHEMA: uniqueId('tenant_it'),
}));

describeTenantApi('MongoDB', () => ({
  PERSISTENCE_DRIVER: 'mongodb',
  MONGODB_URI: mongodbUri,
  MONGODB_DATABASE: uniqueId('tenant_it'),
}));
