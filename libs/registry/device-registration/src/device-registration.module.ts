import {
  Global,
  Inject,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';

import type { MessageSender } from '@tessera/messaging';
import { NOTIFICATION_SENDER } from '@tessera/messaging-nest';
import { DeviceRepository } from '@tessera/persistence';
import { DeviceDirectory, NotificationRelay } from '@tessera/registry-kit';

import { DeviceManagementController } from './device-management.controller';
import { DeviceManagementService } from './device-management.service';
import { LocalDeviceDirectory } from './local-device.directory';

const DEVICE_RELAY = Symbol('tessera.device-relay');

/**
 * The device registration service: `/v1/devices` and, for other modules of the same process, a
 * {@link DeviceDirectory}. Needs a `DeviceRepository`, a `TenantDirectory` and the notification
 * sender from the app.
 */
@Global()
@Module({
  controllers: [DeviceManagementController],
  providers: [
    DeviceManagementService,
    LocalDeviceDirectory,
    { provide: DeviceDirectory, useExisting: LocalDeviceDirectory },
    {
      provide: DEVICE_RELAY,
      useFactory: (repo: DeviceRepository, sender: MessageSender) =>
        new NotificationRelay('device', repo, sender, { intervalMs: 500, batchSize: 100 }),
      inject: [DeviceRepository, NOTIFICATION_SENDER],
    },
  ],
  exports: [DeviceManagementService, DeviceDirectory],
})
export class DeviceRegistrationModule implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(DEVICE_RELAY) private readonly relay: NotificationRelay) {}

  onApplicationBootstrap(): void {
    this.relay.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.relay.stop();
  }
}
