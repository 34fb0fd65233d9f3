import { z } from 'zod';

import { DefaultPropertiesSchema } from '../common/common.schema';
import { DeviceIdSchema, TenantIdSchema, type TenantId } from '../common/ids';

/*
 * Tessera's internal "deliver a provisioning notification" API (not part of Hono): the registry
 * service that owns an auto-provisioned device asks the provisioning-notification service to put
 * the Device Provisioning Notification on the tenant's event stream. AMQP 1.0 request/response in
 * Hono's conventions (operation in `subject`, `reply-to`, `correlation-id`, `status` property):
 *
 *   address   provisioning-notification/<tenant>
 *   subject   deliver
 *   body      {"device-id": …, "gateway-id"?: …, "defaults"?: {…}}   (JSON)
 *   reply     status 202 once the broker acknowledged the event (Kafka acks=all with the
 *             idempotent producer, AMQP `accepted`); 400 malformed; 404 unknown tenant;
 *             503 when the broker or the Tenant API cannot be reached (retry later).
 *
 * The caller flips the device's `auto-provisioning-notification-sent` flag only after a 202, so a
 * notification is delivered at least once; duplicates are possible and allowed.
 */

/** The endpoint of the delivery API (the address is `provisioning-notification/<tenant>`). */
export const PROVISIONING_NOTIFICATION_ENDPOINT = 'provisioning-notification';

/** The operation of the delivery API. */
export const DELIVER_OPERATION = 'deliver';

/** The address of a tenant's delivery API. */
export function provisioningNotificationAddress(tenantId: TenantId | string): string {
  return `${PROVISIONING_NOTIFICATION_ENDPOINT}/${tenantId}`;
}

/** The body of a `deliver` request. */
export const DeliverProvisioningNotificationSchema = z
  .object({
    'device-id': DeviceIdSchema.describe('The auto-provisioned device or gateway.'),
    'gateway-id': DeviceIdSchema.optional().describe(
      'The gateway whose request provisioned the (edge) device.',
    ),
    defaults: DefaultPropertiesSchema.optional().describe(
      'The device-level defaults (Tessera adds them to the notification; Hono does not, #3596).',
    ),
  })
  .describe('A request to deliver the Device Provisioning Notification of one device.');

/** A `deliver` request body (see {@link DeliverProvisioningNotificationSchema}). */
export type DeliverProvisioningNotification = z.infer<typeof DeliverProvisioningNotificationSchema>;

/** The tenant id of a delivery address, or `undefined` for another address. */
export function tenantOfProvisioningNotificationAddress(address: string): string | undefined {
  const prefix = `${PROVISIONING_NOTIFICATION_ENDPOINT}/`;
  if (!address.startsWith(prefix)) return undefined;
  const tenant = address.slice(prefix.length);
  return TenantIdSchema.safeParse(tenant).success ? tenant : undefined;
}
