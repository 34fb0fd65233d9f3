import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';

import {
  jsonBody,
  type MessageReceiver,
  type ReceivedMessage,
  type Subscription,
} from '@tessera/messaging';
import { CONSUMER_GROUP_PREFIX, NOTIFICATION_RECEIVER } from '@tessera/messaging-nest';
import {
  NotificationTopic,
  RegistryNotificationSchema,
  RegistryNotificationType,
} from '@tessera/registry-api';
import { DeviceDirectory } from '@tessera/registry-kit';

import { CredentialsManagementService } from './credentials-management.service';

// A DELETE older than this is history replayed to a new consumer group, not a fresh deletion.
const REPLAY_HORIZON_MS = 60 * 60 * 1000;

/**
 * Whether a device that exists now was created again after the deletion a notification reports.
 * Its stored credentials may then still be the deleted device's, which must not authenticate the
 * new one: they are dropped (the user sets new ones), unless the notification is old history.
 */
function recreatedAfter(created: Date, deletedAt: string): boolean {
  const deleted = Date.parse(deletedAt);
  if (Number.isNaN(deleted) || Date.now() - deleted > REPLAY_HORIZON_MS) return false;
  // Hono's timestamps have second precision.
  return created.getTime() >= deleted - 1_000;
}

/**
 * Deletes the credentials of deleted devices, driven by the device service's change notifications
 * (Hono deletes them in the same store; here each service owns its data). When the device exists
 * again by the time the DELETE arrives, the credentials are dropped only if it was re-created after
 * that deletion, so a replayed old DELETE never erases a current device's credentials. On
 * `all-devices-of-tenant-deleted-v1` (also sent when the device service deletes the devices of a
 * deleted tenant) every credential of the tenant is dropped, including any stored for a device
 * created in the moment between that deletion and this notification's arrival: the store cannot
 * tell them from the deleted devices' (set them again).
 */
@Injectable()
export class DeviceDeletionHandler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('credentials');
  private subscription: Subscription | undefined;

  constructor(
    @Inject(NOTIFICATION_RECEIVER) private readonly receiver: MessageReceiver,
    private readonly devices: DeviceDirectory,
    private readonly service: CredentialsManagementService,
    @Optional() @Inject(CONSUMER_GROUP_PREFIX) private readonly groupPrefix = 'tessera',
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.subscription = await this.receiver.subscribe(
      NotificationTopic.REGISTRY_DEVICE.toString(),
      (m) => this.handle(m),
      // One group for all instances: each deletion is handled once; from the start, so that none
      // published before the first start is missed.
      { groupId: `${this.groupPrefix}-credentials-cleanup`, fromBeginning: true },
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscription?.close();
  }

  async handle(message: ReceivedMessage): Promise<void> {
    let notification;
    try {
      notification = RegistryNotificationSchema.parse(jsonBody(message));
    } catch {
      this.logger.warn('ignoring a malformed registry notification');
      return;
    }
    if (
      notification.type === RegistryNotificationType.DEVICE_CHANGE &&
      notification.change === 'DELETE'
    ) {
      const device = await this.devices.find(notification['tenant-id'], notification['device-id']);
      if (device && !recreatedAfter(device.created, notification['creation-time'])) return;
      await this.service.deleteForDevice(notification['tenant-id'], notification['device-id']);
    } else if (notification.type === RegistryNotificationType.ALL_DEVICES_OF_TENANT_DELETED) {
      await this.service.deleteAllOfTenant(notification['tenant-id']);
    }
  }
}
