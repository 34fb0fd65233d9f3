import { z } from 'zod';

import { DateTimeSchema, DefaultPropertiesSchema, ExtensionsSchema } from '../common/common.schema';
import { DeviceIdSchema } from '../common/ids';

/*
 * The Device of the Device Registry Management API (device-registry-v1.yaml, schemas `Device`,
 * `DeviceWithId`, `Status`, `SearchDevicesResult`). Note Hono's spelling: the group members are
 * camelCase (`viaGroups`, `memberOf`), everything else kebab-case.
 */

/** The authority that lets a gateway auto-provision its edge devices. */
export const AUTHORITY_AUTO_PROVISIONING_ENABLED = 'auto-provisioning-enabled';

/**
 * A list of IDs that Hono also accepts as a single string on input (Jackson
 * `ACCEPT_SINGLE_VALUE_AS_ARRAY`); always an array after parsing.
 */
function listOrSingle<T extends z.ZodType<string>>(item: T) {
  return z.union([z.array(item), item.transform((value) => [value])]);
}

/**
 * Where an adapter that connects to the device itself sends commands (`command-endpoint`).
 * Header values are strings (numbers and booleans are converted, as Jackson does).
 */
export const CommandEndpointSchema = z
  .strictObject({
    uri: z
      .string()
      .min(1)
      .describe('The URI commands are sent to; {{deviceId}} is replaced by the target device ID.'),
    headers: z
      .record(
        z.string(),
        z.union([z.string(), z.number(), z.boolean()]).transform((value) => String(value)),
      )
      .optional()
      .describe('Headers added to each command.'),
    'payload-properties': z
      .record(z.string(), z.unknown())
      .optional()
      .describe('Properties added to each command payload.'),
  })
  .describe('The endpoint that commands for the device are sent to.');

/** A command endpoint (see {@link CommandEndpointSchema}). */
export type CommandEndpoint = z.infer<typeof CommandEndpointSchema>;

/**
 * Registry-owned metadata of a device (`Status`, all members `readOnly`). Returned by GET; ignored
 * in request bodies. Tessera keeps `auto-provisioned` and `auto-provisioning-notification-sent`
 * unchanged on PUT (Hono resets them).
 */
export const DeviceStatusSchema = z
  .strictObject({
    created: DateTimeSchema.optional().describe('When the device was created.'),
    updated: DateTimeSchema.optional().describe('When the device was last updated.'),
    'last-user': z.string().optional().describe('The user who made the last change.'),
    'auto-provisioned': z
      .boolean()
      .optional()
      .describe('Whether the device was created by auto-provisioning. Default false.'),
    'auto-provisioning-notification-sent': z
      .boolean()
      .optional()
      .describe('Whether the provisioning notification has been sent. Default false.'),
  })
  .describe('Read-only metadata maintained by the registry.');

/** Registry-owned device metadata (see {@link DeviceStatusSchema}). */
export type DeviceStatus = z.infer<typeof DeviceStatusSchema>;

const GroupIdSchema = z.string().min(1).describe('The identifier of a gateway group.');

const deviceShape = {
  enabled: z.boolean().optional().describe('Whether the device may connect. Default true.'),
  defaults: DefaultPropertiesSchema.optional(),
  via: listOrSingle(DeviceIdSchema)
    .optional()
    .describe('The gateways that may act on behalf of this device; not together with memberOf.'),
  viaGroups: listOrSingle(GroupIdSchema)
    .optional()
    .describe('The gateway groups that may act on behalf of this device; not with memberOf.'),
  memberOf: listOrSingle(GroupIdSchema)
    .optional()
    .describe('The gateway groups this (gateway) device belongs to; not with via or viaGroups.'),
  authorities: z
    .array(z.string().min(1))
    .optional()
    .describe('Authorities of the device; "auto-provisioning-enabled" lets a gateway provision.'),
  'downstream-message-mapper': z
    .string()
    .optional()
    .describe('Experimental: the service that transforms messages uploaded by the device.'),
  'upstream-message-mapper': z
    .string()
    .optional()
    .describe('Experimental: the service that transforms commands sent to the device.'),
  ext: ExtensionsSchema.optional(),
  'command-endpoint': CommandEndpointSchema.optional(),
};

type DeviceShapeValue = z.infer<z.ZodObject<typeof deviceShape>>;

function checkGroups(device: DeviceShapeValue, ctx: z.RefinementCtx): void {
  if ((device.memberOf?.length ?? 0) === 0) return;
  for (const field of ['via', 'viaGroups'] as const) {
    if ((device[field]?.length ?? 0) > 0) {
      ctx.addIssue({
        code: 'custom',
        message: `memberOf must not be set together with ${field}`,
        path: ['memberOf'],
      });
    }
  }
}

/**
 * A device as accepted by `POST/PUT /v1/devices/{tenantId}[/{deviceId}]` (`Device`,
 * `additionalProperties: false`; PUT replaces the device). A `status` member is accepted and
 * dropped, as in Hono, because it is read-only. Invalid bodies are a 400 ClientError.
 */
export const DeviceSchema = z
  .strictObject({
    ...deviceShape,
    status: z.unknown().optional().describe('Read-only; ignored on input.'),
  })
  .superRefine(checkGroups)
  .transform(({ status: _status, ...device }) => device)
  .describe('The registration information of a device.');

/** A device as written by a client (see {@link DeviceSchema}). */
export type Device = z.infer<typeof DeviceSchema>;

/** A device as returned by `GET /v1/devices/{tenantId}/{deviceId}`, including its `status`. */
export const DeviceResponseSchema = z
  .strictObject({ ...deviceShape, status: DeviceStatusSchema.optional() })
  .superRefine(checkGroups)
  .describe('The registration information of a device and its registry metadata.');

/** A device as read back (see {@link DeviceResponseSchema}). */
export type DeviceResponse = z.infer<typeof DeviceResponseSchema>;

/** A device with its identifier, as listed in search results (`DeviceWithId`). */
export const DeviceWithIdSchema = z
  .strictObject({
    id: DeviceIdSchema.describe('The identifier of the device.'),
    ...deviceShape,
    status: DeviceStatusSchema.optional(),
  })
  .superRefine(checkGroups)
  .describe('A device, its identifier and its registry metadata.');

/** A device with its identifier (see {@link DeviceWithIdSchema}). */
export type DeviceWithId = z.infer<typeof DeviceWithIdSchema>;

/**
 * The body of `GET /v1/devices/{tenantId}` (`SearchDevicesResult`). An empty result is answered
 * with 404, never with an empty list.
 */
export const SearchDevicesResultSchema = z
  .strictObject({
    total: z
      .int()
      .min(0)
      .describe('The number of all matching devices, regardless of the page size.'),
    result: z.array(DeviceWithIdSchema).describe('The requested page of matching devices.'),
  })
  .describe('The result of a device search.');

/** A device search result (see {@link SearchDevicesResultSchema}). */
export type SearchDevicesResult = z.infer<typeof SearchDevicesResultSchema>;
