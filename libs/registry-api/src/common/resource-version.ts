import { z } from 'zod';

/**
 * The version of a stored resource (tenant, device, credentials set), used for optimistic locking.
 *
 * Hono stores a new random UUID on every write and sends it **unquoted** in the `ETag` header of
 * GET, POST and PUT responses. PUT and DELETE accept it in `If-Match`; a mismatch is a
 * `ResourceConflictError` with status 412, a write without `If-Match` is unconditional.
 */
export const ResourceVersionSchema = z
  .string()
  .min(1)
  .brand<'ResourceVersion'>()
  .describe('The opaque version of a resource, sent as ETag and expected in If-Match.');

/** A validated resource version (see {@link ResourceVersionSchema}). */
export type ResourceVersion = z.infer<typeof ResourceVersionSchema>;

/**
 * Formats a resource version for the `ETag` response header, exactly like Hono (no quotes).
 *
 * @param version the stored version.
 * @returns the header value.
 */
export function formatEtag(version: ResourceVersion): string {
  return version;
}

/**
 * Reads the expected resource version from an `If-Match` request header.
 *
 * Hono compares the header verbatim with the stored version. Tessera also accepts the RFC 9110
 * quoted form (`"v1"`, `W/"v1"`) by removing the quotes, and treats `*` and an empty or missing
 * header as "no precondition".
 *
 * @param header the raw header value; `undefined` when the header is absent.
 * @returns the expected version, or `undefined` when the write is unconditional.
 */
export function parseIfMatch(header: string | undefined): ResourceVersion | undefined {
  if (header === undefined) return undefined;
  let value = header.trim();
  if (value === '' || value === '*') return undefined;
  if (value.startsWith('W/')) value = value.slice(2);
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
    value = value.slice(1, -1);
  }
  return value === '' ? undefined : ResourceVersionSchema.parse(value);
}
