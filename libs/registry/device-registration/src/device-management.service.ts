import { randomUUID } from 'node:crypto';

import { Injectable } from '@nestjs/common';

import {
  DeviceRepository,
  type DeviceWrite,
  type JsonObject,
  type StoredDevice,
} from '@tessera/persistence';
import {
  allDevicesOfTenantDeletedNotification,
  ClientError,
  deviceChangeNotification,
  DeviceIdSchema,
  DeviceSchema,
  formatHonoTimestamp,
  NotFoundError,
  parseOrThrow,
  ResourceConflictError,
  SearchDevicesQuerySchema,
  TenantIdSchema,
  type DeviceId,
  type TenantId,
} from '@tessera/registry-api';
import {
  outboxMessageOf,
  TenantDirectory,
  type TenantLookupOptions,
  type TenantSummary,
  toSearchQuery,
} from '@tessera/registry-kit';

/** A device as the management API returns it: Hono's JSON with the read-only `status`. */
export type DeviceView = JsonObject;

/** A device and its resource version (for the ETag). */
export interface VersionedDevice {
  readonly device: DeviceView;
  readonly version: string;
  /** When the device was created, in milliseconds (`status.created` has seconds). */
  readonly created: Date;
}

function asList(value: string | readonly string[] | undefined): string[] {
  if (value === undefined) return [];
  return typeof value === 'string' ? [value] : [...value];
}

/** Hono's device JSON from a stored device, with `status` built from the server-owned fields. */
export function toDeviceView(d: StoredDevice): DeviceView {
  const status: JsonObject = {
    created: formatHonoTimestamp(d.status.created),
    'auto-provisioned': d.status.autoProvisioned,
    // Only meaningful for auto-provisioned devices; Hono reports false for the others.
    'auto-provisioning-notification-sent':
      d.status.autoProvisioned && d.status.autoProvisioningNotificationSent,
  };
  if (d.status.updated) status['updated'] = formatHonoTimestamp(d.status.updated);
  return { ...d.document, status };
}

// Devices read per round of a scan for the devices a deleted tenant left behind.
const SCAN_PAGE_SIZE = 200;
// Scans before the clean-up of a tenant gives up on devices that keep changing under it.
const SCAN_ROUNDS = 5;

/**
 * Device management (Hono's `DeviceManagementService`): validates, enforces the tenant's
 * registration limits, keeps `status` server-owned, and writes a `device-change-v1` notification
 * atomically with every change (the credentials service deletes a deleted device's credentials
 * when it receives it). The devices of a deleted tenant are deleted by
 * {@link deleteLeftoversOfTenant} (driven by the tenant notifications).
 */
@Injectable()
export class DeviceManagementService {
  constructor(
    private readonly devices: DeviceRepository,
    private readonly tenants: TenantDirectory,
  ) {}

  /**
   * Registers a device; generates its id when none is given.
   * @throws ClientError 400 (invalid id or body), 403 (`max-devices` reached), NotFoundError 404
   *   (unknown tenant), ResourceConflictError 409 (id taken).
   */
  async create(
    tenantId: string,
    deviceId: string | undefined,
    body: unknown,
  ): Promise<{ id: string; version: string }> {
    const tenant = this.tenantId(tenantId);
    const id = deviceId === undefined ? randomUUID() : this.deviceId(deviceId, tenant);
    const write = this.parseDevice(body ?? {}, tenant);
    await this.requireRoomForDevice(tenant);
    const enabled = write.document['enabled'] !== false;
    const version = await this.devices.create(tenant, id, write, {}, [
      outboxMessageOf(deviceChangeNotification('CREATE', tenant, id as DeviceId, enabled)),
    ]);
    return { id, version };
  }

  /**
   * Creates a device for auto-provisioning (Hono's `DeviceAndGatewayAutoProvisioner` and
   * `EdgeDeviceAutoProvisioner`): `status.auto-provisioned` set and its notification marked unsent
   * in the same write, so the notifier delivers it at least once. A device that already has the id
   * is returned instead (a concurrent provisioning of the same certificate or edge device).
   *
   * @param device the device JSON (enabled; `via`/`viaGroups` for an edge device; `authorities`
   *   for a gateway).
   * @throws ClientError 400 (invalid id or body), 403 (`max-devices` reached), NotFoundError 404
   *   (unknown tenant).
   */
  async createAutoProvisioned(
    tenantId: string,
    deviceId: string,
    device: JsonObject,
  ): Promise<{ created: boolean; device: StoredDevice }> {
    const tenant = this.tenantId(tenantId);
    const id = this.deviceId(deviceId, tenant);
    const existing = await this.devices.findById(tenant, id);
    if (existing) return { created: false, device: existing };
    const write = this.parseDevice(device, tenant);
    await this.requireRoomForDevice(tenant);
    try {
      await this.devices.create(tenant, id, write, { autoProvisioned: true }, [
        outboxMessageOf(deviceChangeNotification('CREATE', tenant, id, true)),
      ]);
    } catch (error) {
      // Another request provisioned it meanwhile: report that device.
      if (!(error instanceof ResourceConflictError)) throw error;
      const raced = await this.devices.findById(tenant, id);
      if (!raced) throw error;
      return { created: false, device: raced };
    }
    const created = await this.devices.findById(tenant, id);
    if (!created) throw this.notFound(tenant, id);
    return { created: true, device: created };
  }

  /**
   * Checks, with the tenant read fresh (a tenant deleted a moment ago gets no devices), that it
   * exists and has room for one more device (`registration-limits.max-devices`).
   * @throws NotFoundError 404 (unknown tenant), ClientError 403 (limit reached).
   */
  private async requireRoomForDevice(tenant: TenantId): Promise<void> {
    const summary = await this.requireTenant(tenant, { fresh: true });
    if (
      summary.maxDevices !== undefined &&
      (await this.devices.count(tenant)) >= summary.maxDevices
    ) {
      throw new ClientError(
        403,
        'DEVICE.LIMIT_REACHED',
        `tenant ${tenant} may register at most ${String(summary.maxDevices)} devices`,
        { tenantId: tenant },
      );
    }
  }

  /** @throws ClientError 400, NotFoundError 404 (device or tenant unknown). */
  async read(tenantId: string, deviceId: string): Promise<VersionedDevice> {
    const tenant = this.tenantId(tenantId);
    const device = await this.devices.findById(tenant, this.deviceId(deviceId, tenant));
    if (!device) throw this.notFound(tenant, deviceId);
    return {
      device: toDeviceView(device),
      version: device.version,
      created: device.status.created,
    };
  }

  /**
   * Replaces a device; `status` in the body is ignored and the stored one kept (Hono resets the
   * auto-provisioning flags here, which may re-send a provisioning notification).
   * @throws ClientError 400, NotFoundError 404, ResourceConflictError 412 (`If-Match` mismatch).
   */
  async update(
    tenantId: string,
    deviceId: string,
    body: unknown,
    ifMatch: string | undefined,
  ): Promise<string> {
    const tenant = this.tenantId(tenantId);
    const id = this.deviceId(deviceId, tenant);
    const write = this.parseDevice(body, tenant);
    await this.requireTenant(tenant);
    const enabled = write.document['enabled'] !== false;
    return this.devices.update(tenant, id, write, ifMatch, [
      outboxMessageOf(deviceChangeNotification('UPDATE', tenant, id, enabled)),
    ]);
  }

  /** @throws ClientError 400, NotFoundError 404, ResourceConflictError 412. */
  async delete(tenantId: string, deviceId: string, ifMatch: string | undefined): Promise<void> {
    const tenant = this.tenantId(tenantId);
    const id = this.deviceId(deviceId, tenant);
    await this.devices.delete(tenant, id, ifMatch, [
      outboxMessageOf(deviceChangeNotification('DELETE', tenant, id, false)),
    ]);
  }

  /** Deletes every device of the tenant (Hono: 204 also when there were none). */
  async deleteAll(tenantId: string): Promise<void> {
    const tenant = this.tenantId(tenantId);
    await this.devices.deleteAllOfTenant(tenant, [
      outboxMessageOf(allDevicesOfTenantDeletedNotification(tenant)),
    ]);
  }

  /**
   * Deletes the devices a deleted tenant left behind (the tenant deletion handler calls it for the
   * tenant's DELETE and CREATE notifications). Writes and notifies nothing when there is nothing to
   * delete, so it may run any number of times.
   * @param createdBefore undefined while the tenant does not exist: then every device goes, in one
   *   write with one `all-devices-of-tenant-deleted-v1` notification, as `DELETE /v1/devices/{tenant}`.
   *   Otherwise the tenant exists (again), and only the devices created before this time go, each
   *   with its `device-change-v1` DELETE (compared with its version, so a device deleted and created
   *   again meanwhile stays); the devices of the tenant's new incarnation stay.
   * @returns how many devices were deleted.
   */
  async deleteLeftoversOfTenant(
    tenantId: string,
    createdBefore: Date | undefined,
  ): Promise<number> {
    const tenant = this.tenantId(tenantId);
    if (createdBefore === undefined) {
      if ((await this.devices.count(tenant)) === 0) return 0;
      return this.devices.deleteAllOfTenant(tenant, [
        outboxMessageOf(allDevicesOfTenantDeletedNotification(tenant)),
      ]);
    }
    let deleted = 0;
    // Concurrent deletes shift the pages of a scan, so scan again until nothing old is left.
    for (let round = 0; round < SCAN_ROUNDS; round++) {
      const old = await this.devicesCreatedBefore(tenant, createdBefore);
      if (old.length === 0) return deleted;
      for (const device of old) {
        const id = device.id as DeviceId;
        try {
          await this.devices.delete(tenant, id, device.version, [
            outboxMessageOf(deviceChangeNotification('DELETE', tenant, id, false)),
          ]);
          deleted++;
        } catch (error) {
          // Deleted or changed meanwhile: the next round sees what became of it.
          if (!(error instanceof NotFoundError || error instanceof ResourceConflictError)) {
            throw error;
          }
        }
      }
    }
    return deleted;
  }

  private async devicesCreatedBefore(tenant: TenantId, before: Date): Promise<StoredDevice[]> {
    const found: StoredDevice[] = [];
    for (let offset = 0; ; offset += SCAN_PAGE_SIZE) {
      const page = await this.devices.search(tenant, {
        filters: [],
        sort: [],
        pageSize: SCAN_PAGE_SIZE,
        pageOffset: offset,
      });
      found.push(...page.result.filter((d) => d.status.created.getTime() < before.getTime()));
      if (page.result.length < SCAN_PAGE_SIZE) return found;
    }
  }

  /**
   * Hono's device search. An empty result is a 404, as Hono answers.
   * @param rawQuery the query parameters as the HTTP layer delivers them.
   */
  async search(
    tenantId: string,
    rawQuery: unknown,
  ): Promise<{ total: number; result: DeviceView[] }> {
    const tenant = this.tenantId(tenantId);
    const q = parseOrThrow(SearchDevicesQuerySchema, rawQuery, 'DEVICE.INVALID_SEARCH', tenant);
    // isGateway overrides filterJson (Hono).
    const query = toSearchQuery(q.isGateway === undefined ? q : { ...q, filterJson: [] });
    const page = await this.devices.search(
      tenant,
      query,
      q.isGateway === undefined ? {} : { isGateway: q.isGateway },
    );
    if (page.total === 0)
      throw new NotFoundError('DEVICE.NONE_FOUND', 'no matching devices', { tenantId: tenant });
    return {
      total: page.total,
      result: page.result.map((d) => ({ id: d.id, ...toDeviceView(d) })),
    };
  }

  private parseDevice(body: unknown, tenant: TenantId): DeviceWrite {
    const device = parseOrThrow(DeviceSchema, body, 'DEVICE.INVALID', tenant);
    const via = asList(device.via);
    const viaGroups = asList(device.viaGroups);
    const memberOf = asList(device.memberOf);
    const document: Record<string, unknown> = { ...device };
    // Normalise single values to arrays, as Hono stores and returns them.
    if (device.via !== undefined) document['via'] = via;
    if (device.viaGroups !== undefined) document['viaGroups'] = viaGroups;
    if (device.memberOf !== undefined) document['memberOf'] = memberOf;
    return { document: document as JsonObject, via, viaGroups, memberOf };
  }

  /**
   * The tenant's summary; `fresh` for writes that create devices, so that none is created in a
   * tenant deleted a moment ago (after the clean-up of its devices ran).
   */
  private async requireTenant(
    tenant: TenantId,
    options: TenantLookupOptions = {},
  ): Promise<TenantSummary> {
    const summary = await this.tenants.get(tenant, options);
    if (!summary)
      throw new NotFoundError('TENANT.NOT_FOUND', `tenant ${tenant} not found`, {
        tenantId: tenant,
      });
    return summary;
  }

  private tenantId(value: string): TenantId {
    return parseOrThrow(TenantIdSchema, value, 'TENANT.INVALID_ID');
  }

  private deviceId(value: string, tenant: TenantId): DeviceId {
    return parseOrThrow(DeviceIdSchema, value, 'DEVICE.INVALID_ID', tenant);
  }

  private notFound(tenant: string, deviceId: string): NotFoundError {
    return new NotFoundError(
      'DEVICE.NOT_FOUND',
      `device ${deviceId} not found in tenant ${tenant}`,
      { tenantId: tenant },
    );
  }
}
