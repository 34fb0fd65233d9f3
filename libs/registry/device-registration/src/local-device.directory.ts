import { Injectable } from '@nestjs/common';

import { NotFoundError } from '@tessera/registry-api';
import {
  type AutoProvisionRequest,
  type AutoProvisionResult,
  DeviceDirectory,
  type DeviceSummary,
  summarizeDevice,
} from '@tessera/registry-kit';

import { DeviceAutoProvisioner } from './device-auto-provisioner';
import { DeviceManagementService } from './device-management.service';
import { ProvisioningNotifier } from './provisioning-notifier';

/** The device directory when the credentials service runs in the same process (embedded mode). */
@Injectable()
export class LocalDeviceDirectory extends DeviceDirectory {
  constructor(
    private readonly service: DeviceManagementService,
    private readonly provisioner: DeviceAutoProvisioner,
    private readonly notifier: ProvisioningNotifier,
  ) {
    super();
  }

  async provision(
    tenantId: string,
    deviceId: string,
    request: AutoProvisionRequest,
  ): Promise<AutoProvisionResult> {
    const { created, device } = await this.provisioner.provisionForCertificate(
      tenantId,
      deviceId,
      request,
    );
    return {
      created,
      autoProvisioned: device.status.autoProvisioned,
      deviceCreated: device.status.created,
    };
  }

  async announce(tenantId: string, deviceId: string): Promise<void> {
    await this.notifier.notify(tenantId, deviceId, 'lookup');
  }

  async remove(tenantId: string, deviceId: string): Promise<void> {
    try {
      await this.service.delete(tenantId, deviceId, undefined);
    } catch (e) {
      if (!(e instanceof NotFoundError)) throw e;
    }
  }

  async find(tenantId: string, deviceId: string): Promise<DeviceSummary | undefined> {
    try {
      const { device, created } = await this.service.read(tenantId, deviceId);
      return summarizeDevice(device, created);
    } catch (e) {
      if (e instanceof NotFoundError) return undefined;
      throw e;
    }
  }
}
