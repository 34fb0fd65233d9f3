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
 * A deleted tenant takes its devices and credentials with it: the device service deletes them on
 * the tenant's DELETE notification, and the credentials service follows the device notifications.
 * Without that, a tenant id created again would let the old devices' passwords in. The embedded
 * registry as a process of its own, its notifications on the in-process broker (embedded mode
 * without Kafka), on PostgreSQL and on MongoDB (FerretDB). Only the management API and the
 * registry's AMQP Credentials API (Qpid Proton, as an adapter asks) are used.
 */

describe.each<RegistryStore>(['postgres', 'mongodb'])(
  'Deleting a tenant deletes its devices and credentials (embedded, %s)',
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

    /** The AMQP Credentials API's statuses for these auth-ids. */
    const lookups = async (tenant: string, authIds: readonly string[]): Promise<number[]> =>
      (
        await protonRequests(
          registry.amqpUrl,
          authIds.map((a) => credentialsGetRequest(tenant, a)),
        )
      ).map((r) => r.status);

    async function tenantWithDevices(tenant: string, devices: readonly string[]): Promise<void> {
      await expectStatus('POST', `/v1/tenants/${tenant}`, 201, {});
      for (const device of devices) {
        await expectStatus('POST', `/v1/devices/${tenant}/${device}`, 201, {});
        await expectStatus(
          'PUT',
          `/v1/credentials/${tenant}/${device}`,
          204,
          passwordCredentials(device),
        );
      }
      expect(await lookups(tenant, devices)).toEqual(devices.map(() => 200));
    }

    it('when the tenant id is created again at once: old devices and credentials go, new ones stay', async () => {
      const tenant = uniqueId('del');
      await tenantWithDevices(tenant, ['dev', 'gw']);

      await expectStatus('DELETE', `/v1/tenants/${tenant}`, 204);
      // Most likely before the clean-up ran (the relay publishes every half second).
      await expectStatus('POST', `/v1/tenants/${tenant}`, 201, {});
      await expectStatus('POST', `/v1/devices/${tenant}/fresh`, 201, {});

      await untilPasses(async () => {
        await expectStatus('GET', `/v1/devices/${tenant}/dev`, 404);
        await expectStatus('GET', `/v1/devices/${tenant}/gw`, 404);
        // The old passwords no longer authenticate in the new tenant.
        expect(await lookups(tenant, ['dev', 'gw'])).toEqual([404, 404]);
      }, 30_000);
      // The new tenant's device stays, and gets credentials of its own.
      await expectStatus('GET', `/v1/devices/${tenant}/fresh`, 200);
      await expectStatus(
        'PUT',
        `/v1/credentials/${tenant}/fresh`,
        204,
        passwordCredentials('fresh'),
      );
      expect(await lookups(tenant, ['fresh'])).toEqual([200]);
      // A device created again with an old id starts without the old credentials.
      await expectStatus('POST', `/v1/devices/${tenant}/dev`, 201, {});
      const credentials = await expectStatus('GET', `/v1/credentials/${tenant}/dev`, 200);
      expect(credentials.body).toEqual([]);
      expect(await lookups(tenant, ['dev', 'fresh'])).toEqual([404, 200]);
    });

    it('when the tenant id is created again later: nothing of the old tenant is left', async () => {
      const tenant = uniqueId('del');
      const other = uniqueId('keep');
      await tenantWithDevices(tenant, ['dev']);
      await tenantWithDevices(other, ['dev']);

      await expectStatus('DELETE', `/v1/tenants/${tenant}`, 204);
      // The device API does not ask for the tenant on a read: the device is gone once cleaned up.
      await untilPasses(() => expectStatus('GET', `/v1/devices/${tenant}/dev`, 404), 30_000);
      await expectStatus('POST', `/v1/tenants/${tenant}`, 201, {});
      await untilPasses(async () => {
        expect(await lookups(tenant, ['dev'])).toEqual([404]);
      }, 30_000);
      await expectStatus('POST', `/v1/devices/${tenant}/dev`, 201, {});
      expect((await expectStatus('GET', `/v1/credentials/${tenant}/dev`, 200)).body).toEqual([]);

      // Another tenant's devices with the same ids are untouched.
      await expectStatus('GET', `/v1/devices/${other}/dev`, 200);
      expect(await lookups(other, ['dev'])).toEqual([200]);
    });
  },
);
