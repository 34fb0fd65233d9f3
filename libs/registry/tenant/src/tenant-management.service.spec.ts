import {
  ResourceConflictError,
  TenantChangeNotificationSchema,
  type TrustedCa,
} from '@tessera/registry-api';

import { TenantManagementService } from './tenant-management.service';
import { CA_CERT, CA_CERT_DERIVED, EC_PUBLIC_KEY, publicKeyCa } from './testing/fixtures';
import { InMemoryTenantRepository } from './testing/in-memory-tenant.repository';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe(TenantManagementService.name, () => {
  let repo: InMemoryTenantRepository;
  let sut: TenantManagementService;

  beforeEach(() => {
    repo = new InMemoryTenantRepository();
    sut = new TenantManagementService(repo);
  });

  const cas = async (id: string): Promise<TrustedCa[]> =>
    (await sut.read(id)).tenant['trusted-ca'] ?? [];

  describe('create', () => {
    it('stores the tenant as given, with a version and a CREATE notification', async () => {
      const body = { enabled: false, ext: { 'invalidate-cache-on-update': true, brand: 'x' } };
      const { id, version } = await sut.create('acme', body);
      expect(id).toBe('acme');
      expect(await sut.read('acme')).toEqual({
        tenant: body,
        version,
        created: expect.any(Date) as unknown,
      });
      expect(repo.outbox).toHaveLength(1);
      const [message] = repo.outbox;
      expect(message).toMatchObject({ topic: 'hono.notification.registry-tenant', key: 'acme' });
      expect(TenantChangeNotificationSchema.parse(message?.payload)).toMatchObject({
        type: 'tenant-change-v1',
        change: 'CREATE',
        'tenant-id': 'acme',
        enabled: false,
        'invalidate-cache-on-update': true,
        source: 'device-registry',
      });
    });

    it('generates a UUID when no id is given; no body means {}', async () => {
      const { id } = await sut.create(undefined, undefined);
      expect(id).toMatch(UUID);
      expect((await sut.read(id)).tenant).toEqual({});
      expect(repo.outbox[0]?.payload).toMatchObject({
        enabled: true,
        'invalidate-cache-on-update': false,
      });
    });

    it.each([
      ['an unknown property', { unexpected: 'property' }],
      ['a wrongly typed member', { enabled: 'yes' }],
      ['a JSON null', null],
      ['a JSON array', [{ enabled: true }]],
      ['an empty adapters list', { adapters: [] }],
      ['duplicate adapter types', { adapters: [{ type: 'hono-http' }, { type: 'hono-http' }] }],
      ['an invalid alias', { alias: 'Not_LDH' }],
      [
        'duplicate trust anchor ids',
        { 'trusted-ca': [publicKeyCa('CN=a', { id: 'x' }), publicKeyCa('CN=b', { id: 'x' })] },
      ],
      [
        'a template without placeholder',
        { 'trusted-ca': [publicKeyCa('CN=a', { 'auth-id-template': 'fixed' })] },
      ],
      [
        'an unsupported placeholder',
        {
          'trusted-ca': [
            publicKeyCa('CN=a', { 'auto-provisioning-device-id-template': '{{subject-x}}' }),
          ],
        },
      ],
      ['a CA without key or cert', { 'trusted-ca': [{ 'subject-dn': 'CN=a' }] }],
      [
        'a public key that is no key',
        {
          'trusted-ca': [
            publicKeyCa('CN=a', {
              'public-key': Buffer.from('NotBased64Encoded').toString('base64'),
            }),
          ],
        },
      ],
      ['a key of another algorithm', { 'trusted-ca': [publicKeyCa('CN=a', { algorithm: 'EC' })] }],
      ['an unknown algorithm', { 'trusted-ca': [publicKeyCa('CN=a', { algorithm: 'ROT13' })] }],
      ['a subject DN that is no DN', { 'trusted-ca': [publicKeyCa('nonsense')] }],
      [
        'a cert that is no certificate',
        { 'trusted-ca': [{ cert: Buffer.from('garbage').toString('base64') }] },
      ],
    ])('refuses %s with 400 and stores nothing', async (_, body) => {
      await expect(sut.create('t1', body)).rejects.toMatchObject({ status: 400 });
      expect(repo.tenants.size).toBe(0);
      expect(repo.outbox).toHaveLength(0);
    });

    it('refuses an invalid tenant id with 400', async () => {
      await expect(sut.create('invalid tenantid$', {})).rejects.toMatchObject({ status: 400 });
      await expect(sut.create('x'.repeat(257), {})).rejects.toMatchObject({ status: 400 });
    });

    it('refuses a duplicate id and a duplicate alias with 409', async () => {
      await sut.create('t1', { alias: 'acme' });
      await expect(sut.create('t1', {})).rejects.toMatchObject({ status: 409 });
      await expect(sut.create('t2', { alias: 'acme' })).rejects.toMatchObject({ status: 409 });
      expect(repo.outbox).toHaveLength(1);
    });

    it('refuses an id that equals another tenant’s once . is _ (their Kafka topics collide)', async () => {
      await sut.create('x_y.z', {});
      for (const colliding of ['x.y.z', 'x_y_z', 'x.y_z']) {
        const refused = sut.create(colliding, {});
        await expect(refused).rejects.toBeInstanceOf(ResourceConflictError);
        await expect(refused).rejects.toMatchObject({
          status: 409,
          code: 'TENANT.ID_CONFLICT',
          message: expect.stringContaining(
            `tenant id ${colliding} collides with the existing tenant x_y.z`,
          ) as unknown,
        });
      }
      expect([...repo.tenants.keys()]).toEqual(['x_y.z']);
      expect(repo.outbox).toHaveLength(1);
      // Other ids, and the same id again once the other tenant is gone, are fine.
      await sut.create('xzy.z', {});
      await sut.create('x-y.z', {});
      await sut.delete('x_y.z', undefined);
      await sut.create('x.y_z', {});
    });
  });

  describe('trusted CAs', () => {
    it('assigns ids to CAs without one and keeps given ids', async () => {
      await sut.create('t1', {
        'trusted-ca': [publicKeyCa('CN=a', { id: 'mine' }), publicKeyCa('CN=b')],
      });
      const [first, second] = await cas('t1');
      expect(first?.id).toBe('mine');
      expect(second?.id).toMatch(UUID);
    });

    it('derives subject DN, key, algorithm and validity from a cert, as Hono does', async () => {
      await sut.create('t1', { 'trusted-ca': [{ cert: CA_CERT, 'subject-dn': 'CN=ignored' }] });
      const [ca] = await cas('t1');
      expect(ca).toMatchObject({ ...CA_CERT_DERIVED, cert: CA_CERT });
      expect(ca?.['subject-dn-bytes']).toBeDefined();
      expect(repo.tenants.get('t1')?.keys.subjectDns).toEqual([CA_CERT_DERIVED['subject-dn']]);
    });

    it('normalises subject DNs to Java’s RFC 2253 form', async () => {
      await sut.create('t1', { 'trusted-ca': [publicKeyCa('cn=Devices, o=ACME')] });
      expect((await cas('t1'))[0]?.['subject-dn']).toBe('CN=Devices,O=ACME');
    });

    it('accepts an EC key with algorithm EC', async () => {
      await sut.create('t1', {
        'trusted-ca': [publicKeyCa('CN=a', { 'public-key': EC_PUBLIC_KEY, algorithm: 'EC' })],
      });
      expect((await cas('t1'))[0]?.algorithm).toBe('EC');
    });

    it('refuses a subject DN used by another tenant with 409, also in another spelling', async () => {
      await sut.create('t1', { 'trusted-ca': [publicKeyCa('CN=Devices,O=ACME')] });
      await expect(
        sut.create('t2', { 'trusted-ca': [publicKeyCa('CN=Devices, O=ACME')] }),
      ).rejects.toMatchObject({ status: 409 });
      await sut.create('t3', {});
      await expect(
        sut.update('t3', { 'trusted-ca': [publicKeyCa('cn=Devices,o=ACME')] }, undefined),
      ).rejects.toMatchObject({ status: 409 });
      expect(repo.tenants.has('t2')).toBe(false);
    });

    it('lets tenants of one trust anchor group share a subject DN, but not others', async () => {
      const ca = publicKeyCa('CN=Shared');
      await sut.create('g1', { 'trust-anchor-group': 'g', 'trusted-ca': [ca] });
      await sut.create('g2', { 'trust-anchor-group': 'g', 'trusted-ca': [ca] });
      await expect(
        sut.create('h1', { 'trust-anchor-group': 'h', 'trusted-ca': [ca] }),
      ).rejects.toMatchObject({ status: 409 });
      await expect(sut.create('n1', { 'trusted-ca': [ca] })).rejects.toMatchObject({ status: 409 });
    });

    it('lets a tenant keep its own subject DN and share it between its own CAs', async () => {
      const ca = publicKeyCa('CN=Own');
      await sut.create('t1', { 'trusted-ca': [ca] });
      await expect(
        sut.update(
          't1',
          {
            'trusted-ca': [
              ca,
              { ...ca, 'not-before': '2044-01-01T00:00:00Z', 'not-after': '2045-01-01T00:00:00Z' },
            ],
          },
          undefined,
        ),
      ).resolves.toBeDefined();
      expect(repo.tenants.get('t1')?.keys.subjectDns).toEqual(['CN=Own']);
    });
  });

  describe('read, update, delete', () => {
    it('answers 404 for unknown tenants and 400 for invalid ids', async () => {
      await expect(sut.read('nope')).rejects.toMatchObject({ status: 404 });
      await expect(sut.update('nope', {}, undefined)).rejects.toMatchObject({ status: 404 });
      await expect(sut.delete('nope', undefined)).rejects.toMatchObject({ status: 404 });
      await expect(sut.read('a/b')).rejects.toMatchObject({ status: 400 });
      expect(repo.outbox).toHaveLength(0);
    });

    it('replaces the tenant, checks If-Match and notifies the UPDATE', async () => {
      const { version } = await sut.create('t1', { enabled: true, ext: { a: 1 } });
      await expect(sut.update('t1', { enabled: false }, 'other')).rejects.toMatchObject({
        status: 412,
      });
      const next = await sut.update('t1', { enabled: false }, version);
      expect(next).not.toBe(version);
      expect(await sut.read('t1')).toEqual({
        tenant: { enabled: false },
        version: next,
        created: expect.any(Date) as unknown,
      });
      expect(repo.outbox.map((m) => m.payload['change'])).toEqual(['CREATE', 'UPDATE']);
      expect(repo.outbox[1]?.payload).toMatchObject({ enabled: false });
      await expect(sut.update('t1', { unknown: 1 }, undefined)).rejects.toMatchObject({
        status: 400,
      });
      expect((await sut.read('t1')).version).toBe(next);
    });

    it('deletes with and without If-Match and notifies the DELETE as disabled, like Hono', async () => {
      const { version } = await sut.create('t1', {});
      await expect(sut.delete('t1', 'other')).rejects.toMatchObject({ status: 412 });
      await sut.delete('t1', version);
      await expect(sut.read('t1')).rejects.toMatchObject({ status: 404 });
      await sut.create('t2', {});
      await sut.delete('t2', undefined);
      expect(repo.outbox.map((m) => [m.key, m.payload['change'], m.payload['enabled']])).toEqual([
        ['t1', 'CREATE', true],
        ['t1', 'DELETE', false],
        ['t2', 'CREATE', true],
        ['t2', 'DELETE', false],
      ]);
    });
  });

  describe('search', () => {
    beforeEach(async () => {
      await sut.create('a', { enabled: true, ext: { brand: 'eclipse-a', n: 1 } });
      await sut.create('b', { enabled: false, ext: { brand: 'eclipse-b', n: 2 } });
      await sut.create('c', { enabled: true, ext: { brand: 'other', n: 3 } });
    });

    const filter = (field: string, value: unknown) => JSON.stringify({ field, value });

    it('filters with wildcards, sorts and pages with pageOffset as a page number', async () => {
      const result = await sut.search({
        filterJson: filter('/ext/brand', 'eclipse*'),
        sortJson: JSON.stringify({ field: '/ext/n', direction: 'desc' }),
      });
      expect(result).toEqual({
        total: 2,
        result: [
          { id: 'b', enabled: false, ext: { brand: 'eclipse-b', n: 2 } },
          { id: 'a', enabled: true, ext: { brand: 'eclipse-a', n: 1 } },
        ],
      });
      const page = await sut.search({
        pageSize: '1',
        pageOffset: '2',
        sortJson: JSON.stringify({ field: '/ext/n' }),
      });
      expect(page).toEqual({
        total: 3,
        result: [{ id: 'c', enabled: true, ext: { brand: 'other', n: 3 } }],
      });
    });

    it('combines repeated filters', async () => {
      const result = await sut.search({
        filterJson: [filter('/ext/brand', 'eclipse-?'), filter('/enabled', true)],
      });
      expect(result.result.map((t) => t.id)).toEqual(['a']);
    });

    it('answers pageSize 0 with the total only', async () => {
      expect(await sut.search({ pageSize: '0' })).toEqual({ total: 3, result: [] });
    });

    it('answers 404 when nothing matches and 400 for malformed queries', async () => {
      await expect(sut.search({ filterJson: filter('/ext/brand', 'none') })).rejects.toMatchObject({
        status: 404,
      });
      for (const query of [
        { pageSize: '201' },
        { pageOffset: '-1' },
        { filterJson: 'Invalid filterJson' },
        { sortJson: '{"field":"x"}' },
      ]) {
        await expect(sut.search(query)).rejects.toMatchObject({ status: 400 });
      }
    });
  });
});
