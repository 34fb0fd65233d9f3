import { z } from 'zod';

import { DefaultPropertiesSchema } from '../common/common.schema';
import { DeviceIdSchema } from '../common/ids';
import { CommandEndpointSchema } from '../device/device.schema';

/*
 * Device Registration API (AMQP, address `registration/<tenant>`, subject `assert`). The request
 * has no body: `device_id` (mandatory) and `gateway_id` (optional) are application properties.
 */

/**
 * The application properties of an `assert` request. A missing or invalid `device_id` is a 400.
 * `gateway_id` is present when a gateway acts for the device; the registry may then
 * auto-provision the device (gateway-based auto-provisioning).
 */
export const AssertRegistrationRequestSchema = z
  .object({
    device_id: DeviceIdSchema.describe('The device whose registration is asserted.'),
    gateway_id: DeviceIdSchema.optional().describe('The gateway acting on behalf of the device.'),
  })
  .describe('The application properties of a Registration API assert request.');

/** The application properties of an `assert` request (see {@link AssertRegistrationRequestSchema}). */
export type AssertRegistrationRequest = z.infer<typeof AssertRegistrationRequestSchema>;

/**
 * The reply body of a successful `assert` (status 200), Hono's `RegistrationAssertion`:
 * `via` lists every gateway that may act for the device (its `via` plus the members of its
 * `viaGroups`, resolved by the registry) and contains the requesting gateway. Hono's spec table
 * calls the mapper member `mapper`; the code, and Tessera, use the two members below. Unknown
 * members are ignored when reading.
 *
 * Other statuses: 400 (missing tenant or `device_id`), 403 (gateway unknown, disabled or not
 * authorized), 404 (device or tenant unknown or disabled).
 */
export const RegistrationAssertionSchema = z
  .object({
    'device-id': DeviceIdSchema.describe('The asserted device.'),
    via: z
      .array(DeviceIdSchema)
      .optional()
      .describe('All gateways authorized to act on behalf of the device.'),
    defaults: DefaultPropertiesSchema.optional(),
    'downstream-message-mapper': z
      .string()
      .optional()
      .describe('Experimental: the service that transforms messages uploaded by the device.'),
    'upstream-message-mapper': z
      .string()
      .optional()
      .describe('Experimental: the service that transforms commands sent to the device.'),
    'command-endpoint': CommandEndpointSchema.optional(),
  })
  .describe('The registration information a protocol adapter needs about a device.');

/** The `assert` reply body (see {@link RegistrationAssertionSchema}). */
export type RegistrationAssertion = z.infer<typeof RegistrationAssertionSchema>;
