import bcrypt from 'bcryptjs';

import {
  credentialsGetRequest,
  passwordCredentials,
  protonRequests,
  type RegistryProcess,
  type RegistryStore,
  startRegistryProcess,
  uniqueId,
  untilPasses,
} from '@tessera/testing';

/*
 * A device deleted and created again at once under its id is a new device: Hono deletes the
 * credentials with the device, here the credentials service drops them on the deletion's
 * notification, a moment later. Until then the earlier device's credentials must not show for the
 * new one, and credentials set for the new one must survive that notification. The embedded
 * registry as a process of its own (notifications on its in-process broker), on PostgreSQL and on
 * MongoDB (FerretDB); the management API and the AMQP Credentials API (Qpid Proton, as an adapter
 * asks) only.
 */

type Json = Record<string, unknown>;

describe.each<RegistryStore>(['postgres', 'mongodb'])(
  'A device deleted and created again at once (embedded, %s)',
  (store) => {
    let registry: RegistryProcess;

    beforeAll(async () => {
      registry = await startRegistryProcess({ store, kafkaBrokers: [] });
    }, 120_000);

    afterAll(async () => {
      await registry.process.stop();
    });

    async function expectStatus(method: string, path: string, status: number, body?: unknown) {
      const reply = await registry.manage(method, path, body);
      expect({ method, path, status: reply.status, body: reply.body }).toMatchObject({ status });
      return reply;
    }

    const lookup = async (tenant: string, authIds: readonly string[]) =>
      protonRequests(
        registry.amqpUrl,
        authIds.map((a) => credentialsGetRequest(tenant, a)),
      );

    it('starts without the earlier device’s credentials and keeps those set for it', async () => {
      const tenant = uniqueId('recreate');
      const credentials = `/v1/credentials/${tenant}/dev`;
      await expectStatus('POST', `/v1/tenants/${tenant}`, 201, {});
      for (const device of ['dev', 'witness']) {
        await expectStatus('POST', `/v1/devices/${tenant}/${device}`, 201, {});
      }
      await expectStatus('PUT', credentials, 204, passwordCredentials('dev-old'));
      await expectStatus(
        'PUT',
        `/v1/credentials/${tenant}/witness`,
        204,
        passwordCredentials('witness'),
      );
      const before = (await expectStatus('GET', credentials, 200)).body as Json[];
      const oldSecretId = (before[0]?.['secrets'] as Json[] | undefined)?.[0]?.['id'];
      expect(typeof oldSecretId).toBe('string');

      // `witness` goes right after `dev`: its credentials' going shows that both DELETEs were handled.
      await expectStatus('DELETE', `/v1/devices/${tenant}/dev`, 204);
      await expectStatus('DELETE', `/v1/devices/${tenant}/witness`, 204);
      // Most likely before the DELETE notifications were handled (the relay publishes every 500 ms).
      await expectStatus('POST', `/v1/devices/${tenant}/dev`, 201, {});

      // The new device has no credentials, and cannot keep the earlier device's secret by its id.
      const fresh = await registry.manage('GET', credentials);
      expect(fresh).toEqual({ status: 200, body: [] });
      await expectStatus(
        'PUT',
        credentials,
        400,
        passwordCredentials('dev-old', { id: oldSecretId }),
      );
      await expectStatus('PUT', credentials, 204, passwordCredentials('dev-new'));

      await untilPasses(async () => {
        expect((await lookup(tenant, ['witness'])).map((r) => r.status)).toEqual([404]);
      }, 30_000);

      // The credentials set for the new device survived the DELETE of the earlier one, and work.
      const after = (await expectStatus('GET', credentials, 200)).body as Json[];
      expect(after.map((c) => c['auth-id'])).toEqual(['dev-new']);
      const [newOne, oldOne] = await lookup(tenant, ['dev-new', 'dev-old']);
      expect(newOne?.status).toBe(200);
      expect(oldOne?.status).toBe(404);
      const found = newOne?.body as Json;
      expect(found['device-id']).toBe('dev');
      const hash = (found['secrets'] as Json[] | undefined)?.[0]?.['pwd-hash'];
      expect(bcrypt.compareSync('dev-new-secret', String(hash))).toBe(true);
    }, 60_000);

    it('drops the earlier device’s credentials on the DELETE when none were set for the new one', async () => {
      const tenant = uniqueId('recreate');
      const credentials = `/v1/credentials/${tenant}/dev`;
      await expectStatus('POST', `/v1/tenants/${tenant}`, 201, {});
      await expectStatus('POST', `/v1/devices/${tenant}/dev`, 201, {});
      await expectStatus('PUT', credentials, 204, passwordCredentials('dev-old'));

      await expectStatus('DELETE', `/v1/devices/${tenant}/dev`, 204);
      await expectStatus('POST', `/v1/devices/${tenant}/dev`, 201, {});
      expect(await registry.manage('GET', credentials)).toEqual({ status: 200, body: [] });

      await untilPasses(async () => {
        expect((await lookup(tenant, ['dev-old'])).map((r) => r.status)).toEqual([404]);
      }, 30_000);
      expect(await registry.manage('GET', credentials)).toEqual({ status: 200, body: [] });
      // The id of the earlier device's credentials is free for the new one.
      await expectStatus('PUT', credentials, 204, passwordCredentials('dev-old'));
      expect((await lookup(tenant, ['dev-old'])).map((r) => r.status)).toEqual([200]);
    }, 60_000);
  },
);
