import {
  type MessageHandler,
  MessageReceiver,
  type ReceivedMessage,
  type SubscribeOptions,
  type Subscription,
} from '@tessera/messaging';
import type { StoredCredentials } from '@tessera/persistence';
import {
  allDevicesOfTenantDeletedNotification,
  deviceChangeNotification,
  type DeviceId,
  tenantChangeNotification,
  type TenantId,
} from '@tessera/registry-api';
import { DeviceDirectory, type DeviceSummary } from '@tessera/registry-kit';

import type { CredentialsManagementService } from './credentials-management.service';
import { DeviceDeletionHandler } from './device-deletion.handler';

class Devices extends DeviceDirectory {
  readonly existing = new Map<string, Date>();
  async find(tenant: string, device: string): Promise<DeviceSummary | undefined> {
    const created = this.existing.get(`${tenant}/${device}`);
    return created && { created };
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

class RecordingReceiver extends MessageReceiver {
  readonly groups: (string | undefined)[] = [];
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  async subscribe(
    _source: string,
    _handler: MessageHandler,
    options?: SubscribeOptions,
  ): Promise<Subscription> {
    this.groups.push(options?.groupId);
    return { close: () => Promise.resolve() };
  }
}

const json = (payload: unknown): ReceivedMessage => ({
  source: 'hono.notification.registry-device',
  body: Buffer.from(JSON.stringify(payload)),
});

const stored = (deviceCreated?: Date): StoredCredentials => ({
  tenantId: 't',
  deviceId: 'd',
  version: 'v7',
  credentials: [],
  ...(deviceCreated && { deviceCreated }),
});

describe(DeviceDeletionHandler.name, () => {
  const findStored = jest.fn<Promise<StoredCredentials | undefined>, [string, string]>();
  const deleteForDevice = jest.fn<Promise<void>, [string, string, string | undefined]>();
  const deleteAllOfTenant = jest.fn<Promise<void>, [string]>();
  const service = {
    findStored,
    deleteForDevice,
    deleteAllOfTenant,
  } as unknown as CredentialsManagementService;
  const deletion = deviceChangeNotification('DELETE', 't' as TenantId, 'd' as DeviceId, false);
  let devices: Devices;
  let sut: DeviceDeletionHandler;

  beforeEach(() => {
    findStored.mockReset().mockResolvedValue(stored(new Date(Date.now() - 60_000)));
    deleteForDevice.mockReset().mockResolvedValue(undefined);
    deleteAllOfTenant.mockReset().mockResolvedValue(undefined);
    devices = new Devices();
    sut = new DeviceDeletionHandler(new RecordingReceiver(), devices, service);
  });

  it('drops all credentials of a tenant whose devices were all deleted (also a deleted tenant’s)', async () => {
    await sut.handle(json(allDevicesOfTenantDeletedNotification('t' as TenantId)));
    expect(deleteAllOfTenant).toHaveBeenCalledWith('t');
    expect(deleteForDevice).not.toHaveBeenCalled();
  });

  it('drops a deleted device’s credentials, in the version it read', async () => {
    await sut.handle(json(deletion));
    expect(findStored).toHaveBeenCalledWith('t', 'd');
    expect(deleteForDevice).toHaveBeenCalledWith('t', 'd', 'v7');
  });

  it('does nothing for a device without credentials', async () => {
    findStored.mockResolvedValue(undefined);
    await sut.handle(json(deletion));
    expect(deleteForDevice).not.toHaveBeenCalled();
  });

  it('keeps the credentials set for the device that exists again, even within the same second', async () => {
    const created = new Date(Date.now() - 5);
    findStored.mockResolvedValue(stored(created));
    devices.existing.set('t/d', created);
    await sut.handle(json(deletion));
    expect(deleteForDevice).not.toHaveBeenCalled();
  });

  it('drops the set of the deleted device when a device was created again under its id', async () => {
    const created = new Date(Date.now() - 5);
    findStored.mockResolvedValue(stored(new Date(created.getTime() - 1)));
    devices.existing.set('t/d', created);
    await sut.handle(json(deletion));
    expect(deleteForDevice).toHaveBeenCalledWith('t', 'd', 'v7');
  });

  it('keeps a current device’s set on an old DELETE replayed, and drops an earlier device’s', async () => {
    const old = { ...deletion, 'creation-time': '2020-01-01T00:00:00Z' };
    const created = new Date(Date.now() - 10 * 60 * 1000);
    devices.existing.set('t/d', created);
    findStored.mockResolvedValue(stored(created));
    await sut.handle(json(old));
    expect(deleteForDevice).not.toHaveBeenCalled();
    findStored.mockResolvedValue(stored(new Date(created.getTime() - 1_000)));
    await sut.handle(json(old));
    expect(deleteForDevice).toHaveBeenCalledWith('t', 'd', 'v7');
  });

  it('judges a set stored without the device’s creation time by when the device was created', async () => {
    findStored.mockResolvedValue(stored());
    // Created long before the deletion: the set is the existing device's.
    devices.existing.set('t/d', new Date(Date.now() - 10 * 60 * 1000));
    await sut.handle(json(deletion));
    expect(deleteForDevice).not.toHaveBeenCalled();
    // Created again after the deletion: the set may be the deleted device's.
    devices.existing.set('t/d', new Date());
    await sut.handle(json(deletion));
    expect(deleteForDevice).toHaveBeenCalledWith('t', 'd', 'v7');
    // Unless the DELETE is old history.
    deleteForDevice.mockClear();
    await sut.handle(json({ ...deletion, 'creation-time': '2020-01-01T00:00:00Z' }));
    expect(deleteForDevice).not.toHaveBeenCalled();
  });

  it('leaves tenant notifications to the device service', async () => {
    await sut.handle(json(tenantChangeNotification('DELETE', 't' as TenantId, false, false)));
    expect(deleteAllOfTenant).not.toHaveBeenCalled();
    expect(deleteForDevice).not.toHaveBeenCalled();
  });

  it('consumes in one group per deployment (KAFKA_CONSUMER_GROUP_PREFIX)', async () => {
    const receiver = new RecordingReceiver();
    await new DeviceDeletionHandler(receiver, devices, service, 'acme').onApplicationBootstrap();
    await new DeviceDeletionHandler(receiver, devices, service).onApplicationBootstrap();
    expect(receiver.groups).toEqual(['acme-credentials-cleanup', 'tessera-credentials-cleanup']);
  });
});
