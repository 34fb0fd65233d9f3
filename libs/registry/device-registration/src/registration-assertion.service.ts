import { Injectable } from '@nestjs/common';

import { DeviceRepository, type StoredDevice } from '@tessera/persistence';
import {
  ClientError,
  DeviceIdSchema,
  NotFoundError,
  parseOrThrow,
  type RegistrationAssertion,
  TenantIdSchema,
} from '@tessera/registry-api';
import { TenantDirectory } from '@tessera/registry-kit';

import { AUTO_PROVISIONING_ENABLED, DeviceAutoProvisioner } from './device-auto-provisioner';
import { ProvisioningNotifier } from './provisioning-notifier';

const enabled = (d: StoredDevice): boolean => d.document['enabled'] !== false;

/** An enabled gateway holding Hono's `auto-provisioning-enabled` authority. */
const mayProvision = (gateway: StoredDevice): boolean => {
  const authorities = gateway.document['authorities'];
  return (
    enabled(gateway) &&
    Array.isArray(authorities) &&
    authorities.includes(AUTO_PROVISIONING_ENABLED)
  );
};

/**
 * Hono's Device Registration API `assert` (AbstractRegistrationService#assertRegistration): may this
 * device send data now, directly or through this gateway?
 */
@Injectable()
export class RegistrationAssertionService {
  constructor(
    private readonly devices: DeviceRepository,
    private readonly tenants: TenantDirectory,
    private readonly provisioner: DeviceAutoProvisioner,
    private readonly notifier: ProvisioningNotifier,
  ) {}

  /**
   * Asserts the device's registration, and the gateway's authority to act for it when one is given.
   * The gateway may act if the device lists it in `via` or one of its `memberOf` groups in
   * `viaGroups`; the answer's `via` holds every such gateway, group members resolved.
   *
   * @throws ClientError 400 (invalid ids), NotFoundError 404 (tenant unknown; device unknown or
   *   disabled), ClientError 403 (gateway unknown, disabled or not authorized for the device).
   */
  async assert(
    tenantId: string,
    deviceId: string,
    gatewayId?: string,
  ): Promise<RegistrationAssertion> {
    const tenant = parseOrThrow(TenantIdSchema, tenantId, 'TENANT.INVALID_ID');
    const id = parseOrThrow(DeviceIdSchema, deviceId, 'DEVICE.INVALID_ID', tenant);
    const gateway =
      gatewayId === undefined
        ? undefined
        : parseOrThrow(DeviceIdSchema, gatewayId, 'DEVICE.INVALID_ID', tenant);
    // Independent lookups, issued together: an assert is on every message's path.
    const [tenantFound, found, gatewayDevice] = await Promise.all([
      this.tenants.get(tenant),
      this.devices.findById(tenant, id),
      gateway === undefined || gateway === id
        ? Promise.resolve(undefined)
        : this.devices.findById(tenant, gateway),
    ]);
    if (!tenantFound)
      throw new NotFoundError('TENANT.NOT_FOUND', `tenant ${tenant} not found`, {
        tenantId: tenant,
      });
    let device = found;
    if (!device && gateway !== undefined && gatewayDevice && mayProvision(gatewayDevice)) {
      device = await this.provisionEdge(tenant, id, gatewayDevice);
    } else if (device && ProvisioningNotifier.isPending(device)) {
      // Hono's lazy retry: the device is back and its notification still pending.
      void this.notifier.notify(tenant, id, 'assert');
    }
    // One answer for unknown and disabled devices: a caller learns nothing more from it.
    if (!device || !enabled(device))
      throw new NotFoundError(
        'DEVICE.NOT_FOUND',
        `device ${id} not found or disabled in tenant ${tenant}`,
        { tenantId: tenant },
      );
    const via = await this.resolveVia(tenant, device);
    // A device that names itself as its gateway just asserts itself (Hono compares the ids too).
    if (gateway !== undefined && gateway !== id) {
      if (!gatewayDevice || !enabled(gatewayDevice))
        throw new ClientError(
          403,
          'GATEWAY.NOT_FOUND',
          `gateway ${gateway} not found or disabled in tenant ${tenant}`,
          { tenantId: tenant },
        );
      if (!via.includes(gateway))
        throw new ClientError(
          403,
          'GATEWAY.NOT_AUTHORIZED',
          `gateway ${gateway} may not act for device ${id}`,
          { tenantId: tenant },
        );
    }
    return assertionOf(device, via);
  }

  /**
   * Hono's gateway-based auto-provisioning: the gateway may create the unknown edge device. If
   * another gateway created it concurrently, this one is refused unless the device names it too
   * (Hono #2413: one wins, the other gets 403 from the `via` check below).
   */
  private async provisionEdge(
    tenant: string,
    id: string,
    gateway: StoredDevice,
  ): Promise<StoredDevice> {
    const { device } = await this.provisioner.provisionForGateway(tenant, id, gateway);
    return device;
  }

  // The device's `via` plus the members of its `viaGroups` (sorted, without duplicates or itself).
  private async resolveVia(tenant: string, device: StoredDevice): Promise<string[]> {
    const members = await this.devices.findGroupMembers(tenant, device.viaGroups);
    return [...new Set([...device.via, ...members])].filter((g) => g !== device.id).sort();
  }
}

function assertionOf(device: StoredDevice, via: readonly string[]): RegistrationAssertion {
  const doc = device.document as Record<string, unknown>;
  const assertion: Record<string, unknown> = { 'device-id': device.id };
  if (via.length > 0) assertion['via'] = via;
  for (const member of [
    'defaults',
    'downstream-message-mapper',
    'upstream-message-mapper',
    'command-endpoint',
  ]) {
    if (doc[member] !== undefined) assertion[member] = doc[member];
  }
  return assertion as RegistrationAssertion;
}
