import { z } from 'zod';

/**
 * The messaging system that carries a tenant's downstream messages (telemetry, events, the
 * provisioning notification). Hono selects it per tenant with `ext.messaging-type`; Tessera
 * supports `amqp` and `kafka` (Hono's `pubsub` is not offered).
 */
export const MessagingTypeSchema = z
  .enum(['amqp', 'kafka'])
  .describe('The messaging system used for the tenant: amqp or kafka.');

/** `amqp` or `kafka` (see {@link MessagingTypeSchema}). */
export type MessagingType = z.infer<typeof MessagingTypeSchema>;

/** The tenant `ext` member that selects the messaging type (Hono `FIELD_EXT_MESSAGING_TYPE`). */
export const TENANT_EXT_MESSAGING_TYPE = 'messaging-type';

/**
 * The messaging type used when a tenant does not name one and several are configured
 * (Hono `MessagingClientProvider.DEFAULT_MESSAGING_TYPE`).
 */
export const DEFAULT_MESSAGING_TYPE: MessagingType = 'kafka';

/**
 * Reads the messaging type a tenant asks for from its `ext` object.
 *
 * @param ext the tenant's extension properties; `undefined` when the tenant has none.
 * @returns the requested type, or `undefined` when `ext.messaging-type` is absent or not a
 *   supported value (callers then use their default).
 */
export function messagingTypeOf(
  ext: Readonly<Record<string, unknown>> | undefined,
): MessagingType | undefined {
  // Read per message by the adapters: a plain check instead of a schema parse.
  const value = ext?.[TENANT_EXT_MESSAGING_TYPE];
  return value === 'amqp' || value === 'kafka' ? value : undefined;
}
