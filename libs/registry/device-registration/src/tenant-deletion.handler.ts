import { Inject, Injectable, Logger, Optional } from '@nestjs/common';

import type { MessageReceiver } from '@tessera/messaging';
import { CONSUMER_GROUP_PREFIX, NOTIFICATION_RECEIVER } from '@tessera/messaging-nest';
import {
  NotificationTopic,
  type RegistryNotification,
  RegistryNotificationType,
  type TenantChangeNotification,
} from '@tessera/registry-api';
import { RegistryNotificationConsumer, TenantDirectory } from '@tessera/registry-kit';

import { DeviceManagementService } from './device-management.service';

/**
 * How much earlier than a new tenant's creation a device must have been created to count as left
 * behind, when a tenant CREATE is handled: tolerance for clocks of the tenant and device stores that
 * differ a little, so that a device created right after its tenant is never taken for an old one.
 */
export const CREATE_CLOCK_MARGIN_MS = 1_000;

/**
 * The creation time before which a device of an existing tenant belongs to an earlier, deleted
 * incarnation of it. The tenant's own creation time where the tenant service reports it; else the
 * notification's (second precision, not later than the change), which for a DELETE is before the
 * tenant was created again.
 */
export function leftoverCutoff(
  notification: TenantChangeNotification,
  tenantCreated: Date | undefined,
): Date {
  const since = tenantCreated?.getTime() ?? Date.parse(notification['creation-time']);
  return new Date(notification.change === 'CREATE' ? since - CREATE_CLOCK_MARGIN_MS : since);
}

/**
 * Deletes the devices of deleted tenants, driven by the tenant service's `tenant-change-v1`
 * notifications (in Hono they would stay in the store, and authenticate again once the tenant id is
 * created anew). On a DELETE or CREATE of a tenant, asked fresh from the tenant service:
 * - the tenant does not exist: all its devices are deleted as by `DELETE /v1/devices/{tenant}`, with
 *   one `all-devices-of-tenant-deleted-v1` notification, on which the credentials service drops the
 *   tenant's credentials;
 * - it exists (created again before this ran, or an old notification replayed): only the devices
 *   created before the tenant was (see {@link leftoverCutoff}) are deleted, each with a
 *   `device-change-v1` DELETE, on which the credentials service drops that device's credentials.
 * Both find nothing to do when repeated, so delivering a notification twice is harmless.
 *
 * One consumer group (`<KAFKA_CONSUMER_GROUP_PREFIX>-device-tenant-cleanup`) for all instances, so
 * each notification is handled once; from the beginning of the topic for a new group, so that the
 * tenants deleted before this version ran are cleaned up too. A failure (tenant service or store
 * unreachable) leaves the notification to be delivered again.
 */
@Injectable()
export class TenantDeletionHandler extends RegistryNotificationConsumer {
  constructor(
    @Inject(NOTIFICATION_RECEIVER) receiver: MessageReceiver,
    private readonly tenants: TenantDirectory,
    private readonly service: DeviceManagementService,
    @Optional() @Inject(CONSUMER_GROUP_PREFIX) groupPrefix = 'tessera',
  ) {
    super(
      receiver,
      NotificationTopic.REGISTRY_TENANT,
      `${groupPrefix}-device-tenant-cleanup`,
      new Logger('device-registration'),
    );
  }

  protected async onNotification(notification: RegistryNotification): Promise<void> {
    if (
      notification.type !== RegistryNotificationType.TENANT_CHANGE ||
      notification.change === 'UPDATE'
    ) {
      return;
    }
    const tenantId = notification['tenant-id'];
    const tenant = await this.tenants.get(tenantId, { fresh: true });
    const deleted = await this.service.deleteLeftoversOfTenant(
      tenantId,
      tenant === undefined ? undefined : leftoverCutoff(notification, tenant.created),
    );
    if (deleted > 0) {
      this.logger.log(
        `deleted ${String(deleted)} device(s) left behind by tenant ${tenantId} (on its ${notification.change})`,
      );
    }
  }
}
