import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';

import {
  jsonBody,
  type MessageReceiver,
  type ReceivedMessage,
  type Subscription,
} from '@tessera/messaging';
import { NOTIFICATION_RECEIVER } from '@tessera/messaging-nest';
import {
  NotificationTopic,
  RegistryNotificationSchema,
  RegistryNotificationType,
} from '@tessera/registry-api';
import { DeviceDirectory } from '@tessera/registry-kit';

import { CredentialsManagementService } from './credentials-management.service';

/**
 * Deletes the credentials of deleted devices, driven by the device service's change notifications
 * (Hono deletes them in the same store; here each service owns its data). A redelivered or replayed
 * DELETE is skipped when the device exists again by then, so it never erases a new device's set.
 */
@Injectable()
export class DeviceDeletionHandler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('credentials');
  private subscription: Subscription | undefined;

  constructor(
    @Inject(NOTIFICATION_RECEIVER) private readonly receiver: MessageReceiver,
    private readonly devices: DeviceDirectory,
    private readonly service: CredentialsManagementService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.subscription = await this.receiver.subscribe(
      NotificationTopic.REGISTRY_DEVICE.toString(),
      (m) => this.handle(m),
      // One group for all instances: each deletion is handled once; from the start, so that none
      // published before the first start is missed.
      { groupId: 'tessera-credentials-cleanup', fromBeginning: true },
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
      if (await this.devices.exists(notification['tenant-id'], notification['device-id'])) return;
      await this.service.deleteForDevice(notification['tenant-id'], notification['device-id']);
    } else if (notification.type === RegistryNotificationType.ALL_DEVICES_OF_TENANT_DELETED) {
      await this.service.deleteAllOfTenant(notification['tenant-id']);
    }
  }
}
