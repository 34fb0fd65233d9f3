import { Inject, Injectable, Logger, Optional } from '@nestjs/common';

import type { MessageReceiver } from '@tessera/messaging';
import { CONSUMER_GROUP_PREFIX, NOTIFICATION_RECEIVER } from '@tessera/messaging-nest';
import type { StoredCredentials } from '@tessera/persistence';
import {
  NotificationTopic,
  type RegistryNotification,
  RegistryNotificationType,
} from '@tessera/registry-api';
import {
  DeviceDirectory,
  type DeviceSummary,
  RegistryNotificationConsumer,
} from '@tessera/registry-kit';

import {
  CredentialsManagementService,
  ofEarlierIncarnation,
} from './credentials-management.service';

// A DELETE older than this is history replayed to a new consumer group, not a fresh deletion.
const REPLAY_HORIZON_MS = 60 * 60 * 1000;

/**
 * Whether a set stored without its device's creation time (written before that was recorded) is
 * the deleted device's rather than the one of the device that exists now: if that device was
 * created again after the deletion the notification reports, it may be, and must not authenticate
 * the new one (the user sets new ones), unless the notification is old history.
 */
function recreatedAfter(created: Date, deletedAt: string): boolean {
  const deleted = Date.parse(deletedAt);
  if (Number.isNaN(deleted) || Date.now() - deleted > REPLAY_HORIZON_MS) return false;
  // Hono's timestamps have second precision.
  return created.getTime() >= deleted - 1_000;
}

/** Whether the stored set is not the one of the device that exists now under its id. */
function ofDeletedDevice(
  stored: StoredCredentials,
  device: DeviceSummary,
  deletedAt: string,
): boolean {
  return stored.deviceCreated === undefined
    ? recreatedAfter(device.created, deletedAt)
    : ofEarlierIncarnation(stored, device);
}

/**
 * Deletes the credentials of deleted devices, driven by the device service's change notifications
 * (Hono deletes them in the same store write as the device; here each service owns its data, and
 * the notification arrives a moment later). Each set is stored with the creation time of the device
 * it was written for, so on a DELETE the set goes only if the device no longer exists, or exists
 * again as a device created after the one the set was written for: credentials set for a device
 * created again under the id before the DELETE arrived stay, and so do those of a current device
 * when an old DELETE is replayed. The set is deleted only in the version judged, never one written
 * meanwhile. (Sets written before the creation time was recorded go if the device was created
 * again after the deletion, unless the notification is older than an hour: replayed history.)
 *
 * On `all-devices-of-tenant-deleted-v1` (also sent when the device service deletes the devices of a
 * deleted tenant) every credential of the tenant is dropped, including any stored for a device
 * created in the moment between that deletion and this notification's arrival (set them again):
 * telling them apart would take a look-up in the device service for every set of the tenant.
 */
@Injectable()
export class DeviceDeletionHandler extends RegistryNotificationConsumer {
  constructor(
    @Inject(NOTIFICATION_RECEIVER) receiver: MessageReceiver,
    private readonly devices: DeviceDirectory,
    private readonly service: CredentialsManagementService,
    @Optional() @Inject(CONSUMER_GROUP_PREFIX) groupPrefix = 'tessera',
  ) {
    super(
      receiver,
      NotificationTopic.REGISTRY_DEVICE,
      `${groupPrefix}-credentials-cleanup`,
      new Logger('credentials'),
    );
  }

  protected async onNotification(notification: RegistryNotification): Promise<void> {
    if (
      notification.type === RegistryNotificationType.DEVICE_CHANGE &&
      notification.change === 'DELETE'
    ) {
      const tenant = notification['tenant-id'];
      const id = notification['device-id'];
      // The set first: if a new device's set is written after this read, the delete misses it.
      const stored = await this.service.findStored(tenant, id);
      if (!stored) return;
      const device = await this.devices.find(tenant, id);
      if (device && !ofDeletedDevice(stored, device, notification['creation-time'])) return;
      await this.service.deleteForDevice(tenant, id, stored.version);
    } else if (notification.type === RegistryNotificationType.ALL_DEVICES_OF_TENANT_DELETED) {
      await this.service.deleteAllOfTenant(notification['tenant-id']);
    }
  }
}
