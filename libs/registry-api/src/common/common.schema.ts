import { z } from 'zod';

/**
 * Free-form extension properties (`ext`, OpenAPI `Extensions`): any JSON object. Hono itself
 * reads only a few well-known keys (e.g. the tenant's `messaging-type`).
 */
export const ExtensionsSchema = z
  .record(z.string(), z.unknown())
  .describe('Arbitrary extension properties, not interpreted by the registry.');

/** Extension properties (see {@link ExtensionsSchema}). */
export type Extensions = z.infer<typeof ExtensionsSchema>;

/**
 * Default message properties (`defaults`, OpenAPI `DefaultProperties`) defined on the tenant or
 * device level, e.g. `content-type` or `ttl`; merged into downstream messages by the adapters
 * (device-level values win over tenant-level ones).
 */
export const DefaultPropertiesSchema = z
  .record(z.string(), z.unknown())
  .describe('Default properties added to downstream messages, e.g. content-type, ttl.');

/** Default message properties (see {@link DefaultPropertiesSchema}). */
export type DefaultProperties = z.infer<typeof DefaultPropertiesSchema>;

/** A padded standard Base64 string (OpenAPI `format: byte`), e.g. a DER-encoded key. */
export const Base64Schema = z.base64().describe('Base64 encoded binary data.');

/**
 * An RFC 3339 date-time with a zone designator or offset (OpenAPI `format: date-time`), e.g.
 * `2021-07-19T17:36:55+02:00` or `2027-12-24T19:00:00Z`.
 */
export const DateTimeSchema = z.iso
  .datetime({ offset: true })
  .describe('An RFC 3339 date-time with offset, e.g. 2027-12-24T19:00:00Z.');

/**
 * Formats an instant the way Hono writes timestamps (`@HonoTimestamp`: UTC, second precision,
 * e.g. `2026-01-31T12:00:00Z`), as used in `creation-time` of registry notifications.
 *
 * @param instant the point in time.
 * @returns the formatted timestamp.
 */
export function formatHonoTimestamp(instant: Date): string {
  return instant.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
