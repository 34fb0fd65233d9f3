import { Injectable } from '@nestjs/common';

import { NotFoundError } from '@tessera/registry-api';
import { DeviceDirectory } from '@tessera/registry-kit';

import { DeviceManagementService } from './device-management.service';

/** The device directory when the credentials service runs in the same process (embedded mode). */
@Injectable()
export class LocalDeviceDirectory extends DeviceDirectory {
  constructor(private readonly service: DeviceManagementService) {
    super();
  }

  async exists(tenantId: string, deviceId: string): Promise<boolean> {
    try {
      await this.service.read(tenantId, deviceId);
      return true;
    } catch (e) {
      if (e instanceof NotFoundError) return false;
      throw e;
    }
  }
}
