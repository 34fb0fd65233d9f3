import { Injectable } from '@nestjs/common';

import { NotFoundError } from '@tessera/registry-api';
import { DeviceDirectory, type DeviceSummary, summarizeDevice } from '@tessera/registry-kit';

import { DeviceManagementService } from './device-management.service';

/** The device directory when the credentials service runs in the same process (embedded mode). */
@Injectable()
export class LocalDeviceDirectory extends DeviceDirectory {
  constructor(private readonly service: DeviceManagementService) {
    super();
  }

  async find(tenantId: string, deviceId: string): Promise<DeviceSummary | undefined> {
    try {
      return summarizeDevice((await this.service.read(tenantId, deviceId)).device);
    } catch (e) {
      if (e instanceof NotFoundError) return undefined;
      throw e;
    }
  }
}
