import { Global, Module } from '@nestjs/common';

import { DeviceRepository } from '@tessera/persistence';
import { DeviceDirectory, notificationRelayProvider } from '@tessera/registry-kit';

import { AutoProvisioningController } from './auto-provisioning.controller';
import { DeviceAutoProvisioner } from './device-auto-provisioner';
import { DeviceManagementController } from './device-management.controller';
import { DeviceManagementService } from './device-management.service';
import { LocalDeviceDirectory } from './local-device.directory';
import { ProvisioningNotifier } from './provisioning-notifier';
import { RegistrationAmqpHandler } from './registration-amqp.handler';
import { RegistrationAssertionService } from './registration-assertion.service';
import { TenantDeletionHandler } from './tenant-deletion.handler';

const DEVICE_RELAY = Symbol('tessera.device-relay');

/**
 * The device registration service: `/v1/devices`, Hono's Device Registration API on the AMQP
 * endpoint when the app has one, and, for other modules of the same process, a
 * {@link DeviceDirectory}; it deletes the devices of deleted tenants ({@link TenantDeletionHandler}).
 * Needs a `DeviceRepository`, a `TenantDirectory` and the notification sender and receiver from the
 * app, and a `ProvisioningNotificationClient` to deliver the provisioning notifications of
 * auto-provisioned devices (without one they stay pending).
 */
@Global()
@Module({
  controllers: [DeviceManagementController, AutoProvisioningController],
  providers: [
    DeviceManagementService,
    ProvisioningNotifier,
    DeviceAutoProvisioner,
    RegistrationAssertionService,
    RegistrationAmqpHandler,
    TenantDeletionHandler,
    LocalDeviceDirectory,
    { provide: DeviceDirectory, useExisting: LocalDeviceDirectory },
    notificationRelayProvider(DEVICE_RELAY, 'device', DeviceRepository),
  ],
  exports: [
    DeviceManagementService,
    RegistrationAssertionService,
    DeviceDirectory,
    ProvisioningNotifier,
  ],
})
export class DeviceRegistrationModule {}
