import bcrypt from 'bcryptjs';

import {
  type CredentialKey,
  CredentialsRepository,
  type JsonObject,
  type NewOutboxMessage,
  type OutboxMessage,
  type StoredCredentials,
} from '@tessera/persistence';
import type { DeviceId, TenantId } from '@tessera/registry-api';
import {
  DeviceDirectory,
  type DeviceSummary,
  TenantDirectory,
  type TenantSummary,
} from '@tessera/registry-kit';

import { bcryptHash, CredentialsManagementService } from './credentials-management.service';

class InMemoryCredentials extends CredentialsRepository {
  readonly sets = new Map<string, StoredCredentials>();
  readonly outbox: NewOutboxMessage[] = [];
  async replace(
    tenantId: string,
    deviceId: string,
    credentials: readonly JsonObject[],
    _keys: readonly CredentialKey[],
    expectedVersion: string | undefined,
    outbox: readonly NewOutboxMessage[],
    deviceCreated?: Date,
  ): Promise<string> {
    const current = this.sets.get(`${tenantId}/${deviceId}`);
    if (expectedVersion !== undefined && current?.version !== expectedVersion) {
      throw Object.assign(new Error('mismatch'), { status: 412 });
    }
    const version = `v${String(this.outbox.length + 1)}`;
    this.sets.set(`${tenantId}/${deviceId}`, {
      tenantId,
      deviceId,
      version,
      credentials: structuredClone([...credentials]),
      ...(deviceCreated && { deviceCreated }),
    });
    this.outbox.push(...outbox);
    return version;
  }
  async findByDevice(tenantId: string, deviceId: string): Promise<StoredCredentials | undefined> {
    return this.sets.get(`${tenantId}/${deviceId}`);
  }
  async findByKey(): Promise<StoredCredentials | undefined> {
    return undefined;
  }
  async deleteForDevice(
    tenantId: string,
    deviceId: string,
    _outbox: readonly NewOutboxMessage[],
    expectedVersion?: string,
  ): Promise<void> {
    const key = `${tenantId}/${deviceId}`;
    if (expectedVersion === undefined || this.sets.get(key)?.version === expectedVersion)
      this.sets.delete(key);
  }
  async deleteAllOfTenant(): Promise<void> {}
  async pendingNotifications(): Promise<OutboxMessage[]> {
    return [];
  }
  async acknowledgeNotifications(): Promise<void> {}
  async close(): Promise<void> {}
}

class Devices extends DeviceDirectory {
  /** When each device was created (others: at 0; `unknown` does not exist). */
  readonly created = new Map<string, Date>();
  async find(_tenant: string, device: string): Promise<DeviceSummary | undefined> {
    return device === 'unknown' ? undefined : { created: this.created.get(device) ?? new Date(0) };
  }
  provision(): Promise<never> {
    return Promise.reject(new Error('not used'));
  }
  remove(): Promise<never> {
    return Promise.reject(new Error('not used'));
  }
  announce(): Promise<void> {
    return Promise.resolve();
  }
}

class Tenants extends TenantDirectory {
  limit: number | undefined;
  async get(tenant: string): Promise<TenantSummary | undefined> {
    return tenant === 'nope'
      ? undefined
      : { enabled: true, maxCredentialsPerDevice: this.limit, tenant: {} };
  }
}

describe(CredentialsManagementService.name, () => {
  let store: InMemoryCredentials;
  let devices: Devices;
  let tenants: Tenants;
  let sut: CredentialsManagementService;

  beforeEach(() => {
    store = new InMemoryCredentials();
    devices = new Devices();
    tenants = new Tenants();
    sut = new CredentialsManagementService(store, devices, tenants, {
      bcryptCost: 4,
      maxBcryptCost: 10,
    });
  });

  const password = (secret: Record<string, unknown>) => [
    { type: 'hashed-password', 'auth-id': 'sensor1', secrets: [secret] },
  ];

  it('hashes pwd-plain with bcrypt, assigns secret ids, and never returns secret material', async () => {
    await sut.set('t', 'd', password({ 'pwd-plain': 'hono-secret' }), undefined);
    const stored = store.sets.get('t/d')?.credentials[0] as { secrets: Record<string, string>[] };
    const secret = stored.secrets[0]!;
    expect(secret['hash-function']).toBe('bcrypt');
    expect(secret['pwd-hash']).toMatch(/^\$2a\$04\$/);
    expect(await bcrypt.compare('hono-secret', secret['pwd-hash']!)).toBe(true);
    expect(secret).not.toHaveProperty('pwd-plain');

    const { credentials, version } = await sut.get('t', 'd');
    expect(version).toBe('v1');
    expect(JSON.stringify(credentials)).not.toMatch(
      /pwd-hash|pwd-plain|hono-secret|salt|hash-function/,
    );
    expect(credentials[0]?.secrets?.[0]).toEqual({ id: secret['id'] });
    expect(store.outbox[0]?.payload).toMatchObject({
      type: 'credentials-change-v1',
      'tenant-id': 't',
      'device-id': 'd',
    });
  });

  it('keeps a stored hash when a PUT refers to the secret by id (patch mode), and replaces it with a new password', async () => {
    await sut.set('t', 'd', password({ 'pwd-plain': 'first' }), undefined);
    const id = (await sut.get('t', 'd')).credentials[0]?.secrets?.[0]?.id as string;
    const before = JSON.stringify(store.sets.get('t/d')?.credentials);

    await sut.set('t', 'd', password({ id, comment: 'kept' }), undefined);
    const kept = store.sets.get('t/d')?.credentials[0] as { secrets: Record<string, string>[] };
    expect(kept.secrets[0]?.['pwd-hash']).toBe(
      (JSON.parse(before) as { secrets: Record<string, string>[] }[])[0]?.secrets[0]?.['pwd-hash'],
    );
    expect(kept.secrets[0]?.['comment']).toBe('kept');

    await sut.set('t', 'd', password({ id, 'pwd-plain': 'second' }), undefined);
    const changed = store.sets.get('t/d')?.credentials[0] as { secrets: Record<string, string>[] };
    expect(await bcrypt.compare('second', changed.secrets[0]!['pwd-hash']!)).toBe(true);
    expect(changed.secrets[0]?.['id']).toBe(id);
  });

  it('refuses unknown secret ids and ids on new secrets with 400, writing nothing', async () => {
    await expect(
      sut.set('t', 'd', password({ id: 'made-up', 'pwd-plain': 'x' }), undefined),
    ).rejects.toMatchObject({ status: 400 });
    expect(store.sets.size).toBe(0);
    await sut.set('t', 'd', password({ 'pwd-plain': 'x' }), undefined);
    await expect(sut.set('t', 'd', password({ id: 'made-up' }), undefined)).rejects.toMatchObject({
      status: 400,
    });
  });

  it('refuses a bcrypt hash above the maximum cost', async () => {
    const hash = await bcryptHash('x', 11);
    const attempt = sut.set(
      't',
      'd',
      password({ 'hash-function': 'bcrypt', 'pwd-hash': hash }),
      undefined,
    );
    await expect(attempt).rejects.toMatchObject({ status: 400 });
    await expect(attempt).rejects.toThrow(/cost 11 exceeds/);
  });

  it('enforces max-credentials-per-device with 403 and answers 404 for unknown devices and tenants', async () => {
    tenants.limit = 1;
    const two = [
      { type: 'psk', 'auth-id': 'a', secrets: [{ key: Buffer.from('k').toString('base64') }] },
      { type: 'psk', 'auth-id': 'b', secrets: [{ key: Buffer.from('k').toString('base64') }] },
    ];
    await expect(sut.set('t', 'd', two, undefined)).rejects.toMatchObject({ status: 403 });
    await expect(sut.set('t', 'unknown', [], undefined)).rejects.toMatchObject({ status: 404 });
    await expect(sut.set('nope', 'd', [], undefined)).rejects.toMatchObject({ status: 404 });
    await expect(sut.get('t', 'unknown')).rejects.toMatchObject({ status: 404 });
    expect(await sut.get('t', 'd')).toEqual({ credentials: [], version: undefined });
  });

  describe('with a set left by an earlier device of the same id (deleted, notification pending)', () => {
    const first = new Date('2026-03-01T10:20:30.123Z');
    const again = new Date('2026-03-01T10:20:30.124Z');
    let oldId: string;

    beforeEach(async () => {
      devices.created.set('d', first);
      await sut.set('t', 'd', password({ 'pwd-plain': 'old-secret' }), undefined);
      oldId = (await sut.get('t', 'd')).credentials[0]?.secrets?.[0]?.id as string;
      // Deleted and created again (within the same second); the DELETE not yet handled.
      devices.created.set('d', again);
    });

    it('stores the creation time of the device with its set', () => {
      expect(store.sets.get('t/d')?.deviceCreated).toEqual(first);
    });

    it('reads no credentials for the new device', async () => {
      expect(await sut.get('t', 'd')).toEqual({ credentials: [], version: undefined });
    });

    it('does not let a PUT keep a secret of the earlier device by its id (400), writing nothing', async () => {
      const before = store.sets.get('t/d');
      const attempt = sut.set('t', 'd', password({ id: oldId }), undefined);
      await expect(attempt).rejects.toMatchObject({ status: 400 });
      await expect(attempt).rejects.toThrow(/a new secret must not have an id/);
      expect(store.sets.get('t/d')).toBe(before);
    });

    it('replaces the set, for the new device; its If-Match cannot match', async () => {
      const stale = store.sets.get('t/d')?.version;
      await expect(
        sut.set('t', 'd', password({ 'pwd-plain': 'new' }), stale),
      ).rejects.toMatchObject({ status: 412 });
      const version = await sut.set('t', 'd', password({ 'pwd-plain': 'new' }), undefined);
      const stored = store.sets.get('t/d');
      expect(stored?.version).toBe(version);
      expect(stored?.deviceCreated).toEqual(again);
      const secret = (stored?.credentials[0] as { secrets: Record<string, string>[] }).secrets[0];
      expect(secret?.['id']).not.toBe(oldId);
      expect(await bcrypt.compare('new', secret?.['pwd-hash'] ?? '')).toBe(true);
      expect((await sut.get('t', 'd')).version).toBe(version);
    });
  });

  it('takes a set stored without the device’s creation time (older records) for the current device’s', async () => {
    const legacy = password({ id: 'legacy', 'pwd-hash': 'x' }) as JsonObject[];
    await store.replace('t', 'd', legacy, [], undefined, []);
    devices.created.set('d', new Date());
    expect((await sut.get('t', 'd')).credentials[0]?.secrets).toEqual([{ id: 'legacy' }]);
    await sut.set('t', 'd', password({ id: 'legacy', comment: 'kept' }), undefined);
    const kept = store.sets.get('t/d')?.credentials[0] as { secrets: Record<string, string>[] };
    expect(kept.secrets[0]).toMatchObject({ id: 'legacy', 'pwd-hash': 'x', comment: 'kept' });
  });

  it('deletes a set only in the version given', async () => {
    const v1 = await sut.set('t', 'd', password({ 'pwd-plain': 'x' }), undefined);
    await sut.set('t', 'd', password({ 'pwd-plain': 'y' }), undefined);
    await sut.deleteForDevice('t' as TenantId, 'd' as DeviceId, v1);
    expect(store.sets.has('t/d')).toBe(true);
    expect((await sut.findStored('t' as TenantId, 'd' as DeviceId))?.version).toBe('v2');
    await sut.deleteForDevice('t' as TenantId, 'd' as DeviceId, 'v2');
    expect(store.sets.has('t/d')).toBe(false);
  });

  it('rejects bodies that are not credentials sets', async () => {
    for (const body of [
      {},
      'x',
      [{ type: 'hashed-password' }],
      [{ type: 'psk', 'auth-id': 'a', secrets: [], extra: 1 }],
    ]) {
      await expect(sut.set('t', 'd', body, undefined)).rejects.toMatchObject({ status: 400 });
    }
    await expect(sut.set('t', 'bad id!', [], undefined)).rejects.toMatchObject({ status: 400 });
    expect(store.sets.size).toBe(0);
  });
});
