import {
  type MessageHandler,
  MessageReceiver,
  type ReceivedMessage,
  type SubscribeOptions,
  type Subscription,
} from '@tessera/messaging';
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

describe(DeviceDeletionHandler.name, () => {
  const deleteForDevice = jest.fn<Promise<void>, [string, string]>();
  const deleteAllOfTenant = jest.fn<Promise<void>, [string]>();
  const service = { deleteForDevice, deleteAllOfTenant } as unknown as CredentialsManagementService;
  let devices: Devices;
  let sut: DeviceDeletionHandler;

  beforeEach(() => {
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

  it('drops a deleted device’s credentials, unless the device is an older one that still exists', async () => {
    const deletion = deviceChangeNotification('DELETE', 't' as TenantId, 'd' as DeviceId, false);
    await sut.handle(json(deletion));
    expect(deleteForDevice).toHaveBeenCalledWith('t', 'd');

    deleteForDevice.mockClear();
    devices.existing.set('t/d', new Date(Date.now() - 10 * 60 * 1000));
    await sut.handle(json(deletion));
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
