import { z } from 'zod';

import { DeviceIdSchema, TenantIdSchema, type DeviceId, type TenantId } from '../common/ids';
import { QosHeaderSchema, Qos } from '../common/qos';
import { ApplicationProperty, MessageProperty } from '../amqp-api/request-response.constants';
import { DownstreamEndpoint } from '../addresses/downstream-address';

/*
 * The Device Provisioning Notification (Hono api/event, AbstractAutoProvisioningEventSender): an
 * event with an empty body that the registry sends to the tenant's event stream
 * (`hono.event.<tenant>` with record key = device ID, or AMQP `event/<tenant>`, durable) after it
 * auto-provisioned a device or gateway. Consumers must filter the event stream by content type or
 * by `hono_registration_status`; duplicates are possible.
 */

/** The content type that marks an event as a device provisioning notification. */
export const DEVICE_PROVISIONING_NOTIFICATION_CONTENT_TYPE =
  'application/vnd.eclipse-hono-device-provisioning-notification';

/** The `hono_registration_status` of a newly provisioned device (the only value Hono defines). */
export const REGISTRATION_STATUS_NEW = 'NEW';

/** The `orig_adapter` value of events sent by the registry itself. */
export const ORIG_ADAPTER_DEVICE_REGISTRY = 'hono-device-registry';

/**
 * The property (AMQP application property / message property, or Kafka header) names of the
 * provisioning notification.
 */
export const DeviceProvisioningNotificationProperty = {
  CONTENT_TYPE: MessageProperty.CONTENT_TYPE,
  REGISTRATION_STATUS: ApplicationProperty.REGISTRATION_STATUS,
  TENANT_ID: ApplicationProperty.TENANT_ID,
  DEVICE_ID: ApplicationProperty.DEVICE_ID,
  GATEWAY_ID: ApplicationProperty.GATEWAY_ID,
  ORIG_ADAPTER: ApplicationProperty.ORIG_ADAPTER,
  ORIG_ADDRESS: ApplicationProperty.ORIG_ADDRESS,
  QOS: ApplicationProperty.QOS,
  CREATION_TIME: MessageProperty.CREATION_TIME,
  TTL: MessageProperty.TTL,
} as const;

const integer = z.union([
  z.int(),
  z
    .string()
    .regex(/^-?\d+$/)
    .transform((value) => Number(value)),
]);

/**
 * The properties of a received provisioning notification, from AMQP (typed values) or Kafka
 * (string headers; numbers as decimal strings). Other properties (tracing, defaults) are kept.
 * A message whose `content-type` or `hono_registration_status` differs is not a provisioning
 * notification and fails to parse.
 */
export const DeviceProvisioningNotificationPropertiesSchema = z
  .looseObject({
    'content-type': z.literal(DEVICE_PROVISIONING_NOTIFICATION_CONTENT_TYPE),
    hono_registration_status: z.literal(REGISTRATION_STATUS_NEW),
    tenant_id: TenantIdSchema.describe('The tenant of the provisioned device.'),
    device_id: DeviceIdSchema.describe('The provisioned device or gateway.'),
    gateway_id: DeviceIdSchema.optional().describe(
      'The gateway that triggered the provisioning of an edge device.',
    ),
    orig_adapter: z.string().optional().describe('hono-device-registry'),
    orig_address: z.string().optional().describe('event'),
    qos: QosHeaderSchema.optional().describe('Kafka only: always 1.'),
    'creation-time': integer.optional().describe('Kafka only: epoch milliseconds.'),
    ttl: integer.optional().describe('The time-to-live in milliseconds, if any.'),
  })
  .describe('The properties of a device provisioning notification.');

/** Parsed provisioning notification properties (see the schema above). */
export type DeviceProvisioningNotificationProperties = z.infer<
  typeof DeviceProvisioningNotificationPropertiesSchema
>;

/**
 * The effective TTL of an event in milliseconds (Hono `DownstreamMessageProperties`): the
 * `ttl` default (seconds), limited by the tenant's `resource-limits/max-ttl` (seconds); the
 * max-ttl alone when there is no default. `-1` or absent means unlimited.
 *
 * @param defaultTtlSeconds the merged `ttl` default, if any.
 * @param maxTtlSeconds the tenant's `max-ttl`, if any.
 * @returns the TTL in milliseconds, or `undefined` when the event does not expire.
 */
export function effectiveEventTtlMillis(
  defaultTtlSeconds: unknown,
  maxTtlSeconds: number | undefined,
): number | undefined {
  const ttl =
    typeof defaultTtlSeconds === 'number' && defaultTtlSeconds > -1 ? defaultTtlSeconds : -1;
  const max = maxTtlSeconds !== undefined && maxTtlSeconds > -1 ? maxTtlSeconds : -1;
  const effective = max === -1 || (ttl > -1 && ttl < max) ? ttl : max;
  return effective > -1 ? effective * 1000 : undefined;
}

/**
 * Builds the properties of a provisioning notification that the registry sends for a device.
 * The merged tenant- and device-level `defaults` (device wins) come first, so they can never
 * override the notification's own properties; a `ttl` default becomes the `ttl` property in
 * milliseconds, limited by the tenant's `max-ttl`. Transport-specific members (`qos` and
 * `creation-time` on Kafka, `durable` on AMQP) are added by the sender.
 *
 * Tessera applies the device-level `defaults` here; Hono applies only the tenant's (issue #3596).
 *
 * @param params.tenantId the tenant.
 * @param params.deviceId the provisioned device.
 * @param params.gatewayId the gateway, for gateway-based (edge device) provisioning.
 * @param params.tenantDefaults the tenant's `defaults`.
 * @param params.deviceDefaults the device's `defaults`.
 * @param params.maxTtlSeconds the tenant's `resource-limits/max-ttl`.
 * @returns the properties, keyed by their wire names.
 */
export function deviceProvisioningNotificationProperties(params: {
  tenantId: TenantId;
  deviceId: DeviceId;
  gatewayId?: DeviceId;
  tenantDefaults?: Readonly<Record<string, unknown>>;
  deviceDefaults?: Readonly<Record<string, unknown>>;
  maxTtlSeconds?: number;
}): Record<string, unknown> {
  const { [MessageProperty.TTL]: defaultTtl, ...defaults } = {
    ...params.tenantDefaults,
    ...params.deviceDefaults,
  };
  const ttl = effectiveEventTtlMillis(defaultTtl, params.maxTtlSeconds);
  return {
    ...defaults,
    ...(ttl === undefined ? {} : { [MessageProperty.TTL]: ttl }),
    [MessageProperty.CONTENT_TYPE]: DEVICE_PROVISIONING_NOTIFICATION_CONTENT_TYPE,
    [ApplicationProperty.REGISTRATION_STATUS]: REGISTRATION_STATUS_NEW,
    [ApplicationProperty.TENANT_ID]: params.tenantId,
    [ApplicationProperty.DEVICE_ID]: params.deviceId,
    ...(params.gatewayId === undefined
      ? {}
      : { [ApplicationProperty.GATEWAY_ID]: params.gatewayId }),
    [ApplicationProperty.ORIG_ADAPTER]: ORIG_ADAPTER_DEVICE_REGISTRY,
    [ApplicationProperty.ORIG_ADDRESS]: DownstreamEndpoint.EVENT,
  };
}

/** The QoS of provisioning notifications: events are always sent at least once. */
export const DEVICE_PROVISIONING_NOTIFICATION_QOS = Qos.AT_LEAST_ONCE;
