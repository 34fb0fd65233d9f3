import { z } from 'zod';

import { DateTimeSchema, formatHonoTimestamp } from '../common/common.schema';
import { DeviceIdSchema, TenantIdSchema, type DeviceId, type TenantId } from '../common/ids';
import { NotificationTopic } from '../addresses/notification-topic';

/*
 * Registry change notifications (Hono clients/notification, `*Notification` classes). The
 * registry publishes one after every successful management write; adapters use them to drop
 * cached registry data. JSON body, content type `application/json`.
 */

/** The content type of registry notifications. */
export const NOTIFICATION_CONTENT_TYPE = 'application/json';

/** The `source` of notifications sent by the device registry. */
export const NOTIFICATION_SOURCE_DEVICE_REGISTRY = 'device-registry';

/** The `type` names of the registry notifications. */
export const RegistryNotificationType = {
  TENANT_CHANGE: 'tenant-change-v1',
  DEVICE_CHANGE: 'device-change-v1',
  CREDENTIALS_CHANGE: 'credentials-change-v1',
  ALL_DEVICES_OF_TENANT_DELETED: 'all-devices-of-tenant-deleted-v1',
} as const;

/** One of the registry notification type names. */
export type RegistryNotificationType =
  (typeof RegistryNotificationType)[keyof typeof RegistryNotificationType];

/** The kind of change a tenant or device notification reports (Hono `LifecycleChange`). */
export const LifecycleChangeSchema = z
  .enum(['CREATE', 'UPDATE', 'DELETE'])
  .describe('The kind of change: CREATE, UPDATE or DELETE.');

/** `CREATE`, `UPDATE` or `DELETE`. */
export type LifecycleChange = z.infer<typeof LifecycleChangeSchema>;

const commonShape = {
  source: z.string().min(1).describe('The component that sent the notification.'),
  'creation-time': DateTimeSchema.describe('When the notification was created (UTC).'),
};

/**
 * A tenant was created, updated or deleted. Adapters drop the cached tenant on `DELETE`, or on
 * `UPDATE` when the tenant is now disabled or `invalidate-cache-on-update` is true.
 */
export const TenantChangeNotificationSchema = z
  .object({
    type: z.literal(RegistryNotificationType.TENANT_CHANGE),
    ...commonShape,
    change: LifecycleChangeSchema,
    'tenant-id': TenantIdSchema,
    enabled: z.boolean().describe('Whether the tenant is enabled after the change.'),
    'invalidate-cache-on-update': z
      .boolean()
      .describe('The tenant’s ext/invalidate-cache-on-update after the change.'),
  })
  .describe('Notification about a changed tenant.');

/** A tenant change notification (see {@link TenantChangeNotificationSchema}). */
export type TenantChangeNotification = z.infer<typeof TenantChangeNotificationSchema>;

/** A device was created, updated or deleted. Adapters drop the device's cached assertions. */
export const DeviceChangeNotificationSchema = z
  .object({
    type: z.literal(RegistryNotificationType.DEVICE_CHANGE),
    ...commonShape,
    change: LifecycleChangeSchema,
    'tenant-id': TenantIdSchema,
    'device-id': DeviceIdSchema,
    enabled: z.boolean().describe('Whether the device is enabled after the change.'),
  })
  .describe('Notification about a changed device.');

/** A device change notification (see {@link DeviceChangeNotificationSchema}). */
export type DeviceChangeNotification = z.infer<typeof DeviceChangeNotificationSchema>;

/** A device's credentials were replaced. Adapters drop the device's cached credentials. */
export const CredentialsChangeNotificationSchema = z
  .object({
    type: z.literal(RegistryNotificationType.CREDENTIALS_CHANGE),
    ...commonShape,
    'tenant-id': TenantIdSchema,
    'device-id': DeviceIdSchema,
  })
  .describe('Notification about changed credentials of a device.');

/** A credentials change notification (see {@link CredentialsChangeNotificationSchema}). */
export type CredentialsChangeNotification = z.infer<typeof CredentialsChangeNotificationSchema>;

/** All devices of a tenant were deleted. Adapters drop all cached data of the tenant's devices. */
export const AllDevicesOfTenantDeletedNotificationSchema = z
  .object({
    type: z.literal(RegistryNotificationType.ALL_DEVICES_OF_TENANT_DELETED),
    ...commonShape,
    'tenant-id': TenantIdSchema,
  })
  .describe('Notification that all devices of a tenant have been deleted.');

/** An all-devices-deleted notification (see {@link AllDevicesOfTenantDeletedNotificationSchema}). */
export type AllDevicesOfTenantDeletedNotification = z.infer<
  typeof AllDevicesOfTenantDeletedNotificationSchema
>;

/**
 * Any registry notification, discriminated by `type`. Unknown members are ignored when reading,
 * so that newer senders can add members; an unknown `type` fails to parse.
 */
export const RegistryNotificationSchema = z
  .discriminatedUnion('type', [
    TenantChangeNotificationSchema,
    DeviceChangeNotificationSchema,
    CredentialsChangeNotificationSchema,
    AllDevicesOfTenantDeletedNotificationSchema,
  ])
  .describe('A device registry change notification.');

/** Any registry notification (see {@link RegistryNotificationSchema}). */
export type RegistryNotification = z.infer<typeof RegistryNotificationSchema>;

/**
 * Where a notification is published: tenant changes on `registry-tenant`, everything else on
 * `registry-device`.
 */
export function notificationTopicOf(notification: RegistryNotification): NotificationTopic {
  return notification.type === RegistryNotificationType.TENANT_CHANGE
    ? NotificationTopic.REGISTRY_TENANT
    : NotificationTopic.REGISTRY_DEVICE;
}

/**
 * The Kafka record key of a notification: the device ID for device and credentials changes, the
 * tenant ID otherwise (so that all notifications about one entity stay in order).
 */
export function notificationKeyOf(notification: RegistryNotification): string {
  switch (notification.type) {
    case RegistryNotificationType.DEVICE_CHANGE:
    case RegistryNotificationType.CREDENTIALS_CHANGE:
      return notification['device-id'];
    case RegistryNotificationType.TENANT_CHANGE:
    case RegistryNotificationType.ALL_DEVICES_OF_TENANT_DELETED:
      return notification['tenant-id'];
  }
}

/** Common options of the notification factories. */
export interface NotificationOptions {
  /** The creation time; defaults to now. */
  readonly now?: Date;
  /** The sender; defaults to {@link NOTIFICATION_SOURCE_DEVICE_REGISTRY}. */
  readonly source?: string;
}

function common(options: NotificationOptions) {
  return {
    source: options.source ?? NOTIFICATION_SOURCE_DEVICE_REGISTRY,
    'creation-time': formatHonoTimestamp(options.now ?? new Date()),
  };
}

/**
 * Creates a tenant change notification.
 *
 * @param change the kind of change.
 * @param tenantId the changed tenant.
 * @param enabled whether the tenant is enabled after the change (for DELETE: before it).
 * @param invalidateCacheOnUpdate the tenant's `ext.invalidate-cache-on-update`.
 */
export function tenantChangeNotification(
  change: LifecycleChange,
  tenantId: TenantId,
  enabled: boolean,
  invalidateCacheOnUpdate: boolean,
  options: NotificationOptions = {},
): TenantChangeNotification {
  return {
    type: RegistryNotificationType.TENANT_CHANGE,
    ...common(options),
    change,
    'tenant-id': tenantId,
    enabled,
    'invalidate-cache-on-update': invalidateCacheOnUpdate,
  };
}

/**
 * Creates a device change notification.
 *
 * @param change the kind of change.
 * @param tenantId the device's tenant.
 * @param deviceId the changed device.
 * @param enabled whether the device is enabled after the change (for DELETE: before it).
 */
export function deviceChangeNotification(
  change: LifecycleChange,
  tenantId: TenantId,
  deviceId: DeviceId,
  enabled: boolean,
  options: NotificationOptions = {},
): DeviceChangeNotification {
  return {
    type: RegistryNotificationType.DEVICE_CHANGE,
    ...common(options),
    change,
    'tenant-id': tenantId,
    'device-id': deviceId,
    enabled,
  };
}

/**
 * Creates a credentials change notification.
 *
 * @param tenantId the device's tenant.
 * @param deviceId the device whose credentials changed.
 */
export function credentialsChangeNotification(
  tenantId: TenantId,
  deviceId: DeviceId,
  options: NotificationOptions = {},
): CredentialsChangeNotification {
  return {
    type: RegistryNotificationType.CREDENTIALS_CHANGE,
    ...common(options),
    'tenant-id': tenantId,
    'device-id': deviceId,
  };
}

/**
 * Creates an all-devices-of-tenant-deleted notification.
 *
 * @param tenantId the tenant whose devices were deleted.
 */
export function allDevicesOfTenantDeletedNotification(
  tenantId: TenantId,
  options: NotificationOptions = {},
): AllDevicesOfTenantDeletedNotification {
  return {
    type: RegistryNotificationType.ALL_DEVICES_OF_TENANT_DELETED,
    ...common(options),
    'tenant-id': tenantId,
  };
}
