import {
  InProcessBroker,
  type MessageHandler,
  MessageReceiver,
  type ReceivedMessage,
  type SubscribeOptions,
  type Subscription,
} from '@tessera/messaging';
import {
  DeviceRepository,
  type NewOutboxMessage,
  type OutboxMessage,
  type Page,
  PersistenceErrors,
  type SearchQuery,
  type StoredDevice,
} from '@tessera/persistence';
import {
  allDevicesOfTenantDeletedNotification,
  credentialsChangeNotification,
  type DeviceId,
  type LifecycleChange,
  ServerError,
  tenantChangeNotification,
  type TenantId,
} from '@tessera/registry-api';
import {
  outboxMessageOf,
  TenantDirectory,
  type TenantLookupOptions,
  type TenantSummary,
} from '@tessera/registry-kit';

import { DeviceManagementService } from './device-management.service';
import { CREATE_CLOCK_MARGIN_MS, TenantDeletionHandler } from './tenant-deletion.handler';

/** The device store calls the clean-up makes, on a map; everything else is not used. */
class FakeDevices extends DeviceRepository {
  readonly devices = new Map<string, StoredDevice>();
  readonly outbox: NewOutboxMessage[] = [];
  writes = 0;
  /** Called before a delete is applied (to change the store under the clean-up). */
  beforeDelete: (tenantId: string, id: string) => void = () => undefined;
  private versions = 0;

  add(tenantId: string, id: string, created: Date): StoredDevice {
    const device: StoredDevice = {
      tenantId,
      id,
      version: `v${String(++this.versions)}`,
      document: {},
      status: { created, autoProvisioned: false, autoProvisioningNotificationSent: false },
      via: [],
      viaGroups: [],
      memberOf: [],
    };
    this.devices.set(`${tenantId}/${id}`, device);
    return device;
  }

  ids(tenantId: string): string[] {
    return [...this.devices.values()].filter((d) => d.tenantId === tenantId).map((d) => d.id);
  }

  async count(tenantId: string): Promise<number> {
    return this.ids(tenantId).length;
  }

  async search(tenantId: string, query: SearchQuery): Promise<Page<StoredDevice>> {
    const all = [...this.devices.values()]
      .filter((d) => d.tenantId === tenantId)
      .sort((a, b) => a.id.localeCompare(b.id));
    return {
      total: all.length,
      result: all.slice(query.pageOffset, query.pageOffset + query.pageSize),
    };
  }

  async delete(
    tenantId: string,
    id: string,
    expectedVersion: string | undefined,
    outbox: readonly NewOutboxMessage[],
  ): Promise<void> {
    this.beforeDelete(tenantId, id);
    const current = this.devices.get(`${tenantId}/${id}`);
    if (!current) throw PersistenceErrors.notFound('device', id);
    if (expectedVersion !== undefined && expectedVersion !== current.version) {
      throw PersistenceErrors.versionMismatch('device', id);
    }
    this.devices.delete(`${tenantId}/${id}`);
    this.outbox.push(...outbox);
    this.writes++;
  }

  async deleteAllOfTenant(tenantId: string, outbox: readonly NewOutboxMessage[]): Promise<number> {
    const ids = this.ids(tenantId);
    for (const id of ids) this.devices.delete(`${tenantId}/${id}`);
    this.outbox.push(...outbox);
    this.writes++;
    return ids.length;
  }

  create(): Promise<string> {
    return Promise.reject(new Error('not used'));
  }
  findById(): Promise<StoredDevice | undefined> {
    return Promise.reject(new Error('not used'));
  }
  update(): Promise<string> {
    return Promise.reject(new Error('not used'));
  }
  markNotificationSent(): Promise<boolean> {
    return Promise.reject(new Error('not used'));
  }
  findGroupMembers(): Promise<string[]> {
    return Promise.reject(new Error('not used'));
  }
  findUnnotified(): Promise<StoredDevice[]> {
    return Promise.reject(new Error('not used'));
  }
  pendingNotifications(): Promise<OutboxMessage[]> {
    return Promise.reject(new Error('not used'));
  }
  acknowledgeNotifications(): Promise<void> {
    return Promise.reject(new Error('not used'));
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Tenants that exist, with their creation time (undefined: the tenant service does not say). */
class FakeTenants extends TenantDirectory {
  readonly tenants = new Map<string, Date | undefined>();
  readonly lookups: { tenantId: string; options: TenantLookupOptions | undefined }[] = [];
  failure: Error | undefined;

  async get(tenantId: string, options?: TenantLookupOptions): Promise<TenantSummary | undefined> {
    this.lookups.push({ tenantId, options });
    if (this.failure) throw this.failure;
    if (!this.tenants.has(tenantId)) return undefined;
    return { enabled: true, tenant: {}, created: this.tenants.get(tenantId) };
  }
}

/** Records the subscription instead of making one. */
class RecordingReceiver extends MessageReceiver {
  readonly subscriptions: { source: string; options: SubscribeOptions | undefined }[] = [];
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  async subscribe(
    source: string,
    _handler: MessageHandler,
    options?: SubscribeOptions,
  ): Promise<Subscription> {
    this.subscriptions.push({ source, options });
    return { close: () => Promise.resolve() };
  }
}

const at = (iso: string): Date => new Date(iso);
const json = (payload: unknown): ReceivedMessage => ({
  source: 'hono.notification.registry-tenant',
  body: Buffer.from(JSON.stringify(payload)),
});
const tenantChange = (change: LifecycleChange, tenantId: string, now: string): ReceivedMessage =>
  json(tenantChangeNotification(change, tenantId as TenantId, false, false, { now: at(now) }));

describe(TenantDeletionHandler.name, () => {
  let devices: FakeDevices;
  let tenants: FakeTenants;
  let sut: TenantDeletionHandler;

  beforeEach(() => {
    devices = new FakeDevices();
    tenants = new FakeTenants();
    sut = new TenantDeletionHandler(
      new InProcessBroker().receiver,
      tenants,
      new DeviceManagementService(devices, tenants),
    );
  });

  const notifications = () => devices.outbox.map((m) => m.payload);

  it('deletes every device of a deleted tenant as DELETE /v1/devices/{tenant} does, once', async () => {
    devices.add('gone', 'a', at('2026-01-01T00:00:00Z'));
    devices.add('gone', 'b', at('2026-01-02T00:00:00Z'));
    devices.add('other', 'a', at('2026-01-01T00:00:00Z'));

    await sut.handle(tenantChange('DELETE', 'gone', '2026-02-01T00:00:00Z'));

    expect(devices.ids('gone')).toEqual([]);
    expect(devices.ids('other')).toEqual(['a']);
    expect(devices.outbox).toEqual([
      {
        ...outboxMessageOf(allDevicesOfTenantDeletedNotification('gone' as TenantId)),
        payload: expect.objectContaining({
          type: 'all-devices-of-tenant-deleted-v1',
          'tenant-id': 'gone',
        }) as unknown,
      },
    ]);
    expect(devices.outbox[0]?.topic).toBe('hono.notification.registry-device');
    // Asked the tenant service, not what was remembered.
    expect(tenants.lookups).toEqual([{ tenantId: 'gone', options: { fresh: true } }]);

    // Delivered again: nothing left to do, nothing written or notified.
    await sut.handle(tenantChange('DELETE', 'gone', '2026-02-01T00:00:00Z'));
    expect(devices.writes).toBe(1);
  });

  it('deletes only the old devices of a tenant created again before the clean-up ran', async () => {
    const recreated = at('2026-02-01T00:00:00.500Z');
    tenants.tenants.set('t', recreated);
    devices.add('t', 'old-1', at('2026-01-01T00:00:00Z'));
    // Created in the same second as the tenant delete (whose notification says 00:00:00Z).
    devices.add('t', 'old-2', at('2026-02-01T00:00:00.200Z'));
    devices.add('t', 'new-1', at('2026-02-01T00:00:00.501Z'));
    devices.add('t', 'new-2', at('2026-02-03T00:00:00Z'));

    await sut.handle(tenantChange('DELETE', 't', '2026-02-01T00:00:00Z'));

    expect(devices.ids('t')).toEqual(['new-1', 'new-2']);
    // One device DELETE each, so that the credentials service drops just their credentials.
    expect(notifications()).toEqual([
      expect.objectContaining({
        type: 'device-change-v1',
        change: 'DELETE',
        'tenant-id': 't',
        'device-id': 'old-1',
      }),
      expect.objectContaining({ type: 'device-change-v1', change: 'DELETE', 'device-id': 'old-2' }),
    ]);
    expect(notifications()).not.toContainEqual(
      expect.objectContaining({ type: 'all-devices-of-tenant-deleted-v1' }),
    );

    // Delivered again, or an old DELETE replayed: the new devices stay.
    await sut.handle(tenantChange('DELETE', 't', '2026-02-01T00:00:00Z'));
    await sut.handle(tenantChange('DELETE', 't', '2025-06-01T00:00:00Z'));
    expect(devices.ids('t')).toEqual(['new-1', 'new-2']);
    expect(devices.writes).toBe(2);
  });

  it('falls back to the DELETE notification’s time when the tenant service does not tell the creation time', async () => {
    tenants.tenants.set('t', undefined);
    devices.add('t', 'old', at('2026-01-31T23:59:59.999Z'));
    devices.add('t', 'new', at('2026-02-01T00:00:00.100Z'));

    await sut.handle(tenantChange('DELETE', 't', '2026-02-01T00:00:00Z'));

    expect(devices.ids('t')).toEqual(['new']);
  });

  it('on a tenant CREATE, deletes devices older than the tenant by more than the clock margin', async () => {
    const created = at('2026-02-01T12:00:00Z');
    tenants.tenants.set('t', created);
    devices.add('t', 'left-behind', new Date(created.getTime() - CREATE_CLOCK_MARGIN_MS - 1));
    // A device service clock a little behind the tenant service's: still the new tenant's device.
    devices.add('t', 'skewed', new Date(created.getTime() - CREATE_CLOCK_MARGIN_MS + 1));
    devices.add('t', 'new', new Date(created.getTime() + 5));

    await sut.handle(tenantChange('CREATE', 't', '2026-02-01T12:00:00Z'));

    expect(devices.ids('t')).toEqual(['skewed', 'new']);
    expect(notifications()).toEqual([
      expect.objectContaining({ change: 'DELETE', 'device-id': 'left-behind' }),
    ]);
  });

  it('on a CREATE of a tenant that is gone again, deletes all its devices', async () => {
    devices.add('t', 'a', at('2026-01-01T00:00:00Z'));
    await sut.handle(tenantChange('CREATE', 't', '2026-01-01T00:00:00Z'));
    expect(devices.ids('t')).toEqual([]);
  });

  it('ignores tenant UPDATEs, other notifications and malformed ones without asking anyone', async () => {
    devices.add('t', 'a', at('2026-01-01T00:00:00Z'));
    await sut.handle(tenantChange('UPDATE', 't', '2026-02-01T00:00:00Z'));
    await sut.handle(json(credentialsChangeNotification('t' as TenantId, 'a' as DeviceId)));
    await sut.handle(json(allDevicesOfTenantDeletedNotification('t' as TenantId)));
    await sut.handle(json({ type: 'tenant-change-v1', change: 'DELETE' }));
    await sut.handle({ source: 'hono.notification.registry-tenant', body: Buffer.from('{') });
    expect(tenants.lookups).toEqual([]);
    expect(devices.ids('t')).toEqual(['a']);
  });

  it('scans the tenant in pages and copes with devices deleted or changed under it', async () => {
    tenants.tenants.set('t', at('2026-02-01T00:00:00Z'));
    for (let i = 0; i < 450; i++) {
      devices.add('t', `d${String(i).padStart(3, '0')}`, at('2026-01-01T00:00:00Z'));
    }
    devices.add('t', 'zz-new', at('2026-02-02T00:00:00Z'));
    let interfered = false;
    devices.beforeDelete = (tenantId) => {
      if (interfered) return;
      interfered = true;
      // Someone deletes one old device and replaces another (new version) meanwhile.
      devices.devices.delete(`${tenantId}/d001`);
      devices.add(tenantId, 'd002', at('2026-01-01T00:00:00Z'));
    };

    await sut.handle(tenantChange('DELETE', 't', '2026-01-31T00:00:00Z'));

    expect(devices.ids('t')).toEqual(['zz-new']);
    // d001 went away by itself; d002 was deleted in its new version, in a second round.
    expect(devices.writes).toBe(449);
  });

  it('fails (for the notification to be delivered again) when the tenant service cannot answer', async () => {
    devices.add('t', 'a', at('2026-01-01T00:00:00Z'));
    tenants.failure = new ServerError(503, 'REGISTRY.UNAVAILABLE', 'tenant service unreachable');
    await expect(
      sut.handle(tenantChange('DELETE', 't', '2026-02-01T00:00:00Z')),
    ).rejects.toMatchObject({ status: 503 });
    expect(devices.ids('t')).toEqual(['a']);
  });

  it('subscribes to the tenant notifications in one group per deployment, from the beginning', async () => {
    const receiver = new RecordingReceiver();
    const service = new DeviceManagementService(devices, tenants);
    await new TenantDeletionHandler(receiver, tenants, service, 'acme').onApplicationBootstrap();
    await new TenantDeletionHandler(receiver, tenants, service).onApplicationBootstrap();
    expect(receiver.subscriptions).toEqual([
      {
        source: 'hono.notification.registry-tenant',
        options: { groupId: 'acme-device-tenant-cleanup', fromBeginning: true },
      },
      {
        source: 'hono.notification.registry-tenant',
        options: { groupId: 'tessera-device-tenant-cleanup', fromBeginning: true },
      },
    ]);
  });

  it('deletes the devices when the tenant DELETE arrives through the broker', async () => {
    const broker = new InProcessBroker();
    const handler = new TenantDeletionHandler(
      broker.receiver,
      tenants,
      new DeviceManagementService(devices, tenants),
    );
    await handler.onApplicationBootstrap();
    devices.add('t', 'a', at('2026-01-01T00:00:00Z'));
    const deleted = new Promise<void>((resolve) => {
      const all = devices.deleteAllOfTenant.bind(devices);
      devices.deleteAllOfTenant = async (tenantId, outbox) => {
        const count = await all(tenantId, outbox);
        resolve();
        return count;
      };
    });
    const message = tenantChange('DELETE', 't', '2026-02-01T00:00:00Z');
    await broker.sender.send('hono.notification.registry-tenant', message, { awaitAck: true });
    await deleted;
    expect(devices.ids('t')).toEqual([]);
    await handler.onApplicationShutdown();
  });
});
