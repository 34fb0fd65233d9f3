import { Injectable } from '@nestjs/common';

import type { JsonObject, StoredDevice } from '@tessera/persistence';
import { formatHonoTimestamp } from '@tessera/registry-api';
import {
  type AutoProvisionRequest,
  countProvisioning,
  provisioningFailureReason,
} from '@tessera/registry-kit';

import { DeviceManagementService } from './device-management.service';
import { ProvisioningNotifier } from './provisioning-notifier';

/** The authority that lets a gateway auto-provision its edge devices (Hono). */
export const AUTO_PROVISIONING_ENABLED = 'auto-provisioning-enabled';

/**
 * Creates auto-provisioned devices and sets their notification on its way: certificate devices and
 * gateways for the credentials service, edge devices for the registration assertion.
 */
@Injectable()
export class DeviceAutoProvisioner {
  constructor(
    private readonly management: DeviceManagementService,
    private readonly notifier: ProvisioningNotifier,
  ) {}

  /**
   * A device for a client certificate of a CA with `auto-provisioning-enabled` (Hono's device JSON:
   * enabled, a comment, and the authority when the CA provisions gateways).
   */
  async provisionForCertificate(
    tenantId: string,
    deviceId: string,
    request: AutoProvisionRequest,
  ): Promise<{ created: boolean; device: StoredDevice }> {
    const device: JsonObject = {
      enabled: true,
      ext: { comment: request.comment ?? `Auto-provisioned at ${formatHonoTimestamp(new Date())}` },
      ...(request.authorities !== undefined && request.authorities.length > 0
        ? { authorities: [...request.authorities] }
        : {}),
    };
    return this.provision(tenantId, deviceId, device);
  }

  /**
   * An edge device for a gateway with the `auto-provisioning-enabled` authority: `via` the gateway
   * and `viaGroups` the gateway's `memberOf` (Hono's `EdgeDeviceAutoProvisioner`).
   */
  async provisionForGateway(
    tenantId: string,
    deviceId: string,
    gateway: StoredDevice,
  ): Promise<{ created: boolean; device: StoredDevice }> {
    const device: JsonObject = {
      enabled: true,
      via: [gateway.id],
      ...(gateway.memberOf.length > 0 ? { viaGroups: [...gateway.memberOf] } : {}),
    };
    try {
      const result = await this.provision(tenantId, deviceId, device);
      countProvisioning('gateway', result.created ? 'provisioned' : 'existing', 'edge-device');
      return result;
    } catch (error) {
      countProvisioning('gateway', 'failed', provisioningFailureReason(error));
      throw error;
    }
  }

  private async provision(
    tenantId: string,
    deviceId: string,
    device: JsonObject,
  ): Promise<{ created: boolean; device: StoredDevice }> {
    const result = await this.management.createAutoProvisioned(tenantId, deviceId, device);
    if (ProvisioningNotifier.isPending(result.device)) {
      // Not awaited: the device is stored with its notification pending, which the notifier (now,
      // on the next assert, or in its relay) delivers at least once.
      void this.notifier.notify(tenantId, deviceId, 'provisioned');
    }
    return result;
  }
}
