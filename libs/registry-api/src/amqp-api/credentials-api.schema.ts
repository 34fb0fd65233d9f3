import { z } from 'zod';

import { Base64Schema, DateTimeSchema, ExtensionsSchema } from '../common/common.schema';
import { AuthIdSchema, CredentialTypeSchema, DeviceIdSchema } from '../common/ids';

/*
 * Credentials API (AMQP, address `credentials/<tenant>`, subject `get`).
 */

/** The member of a `get` request carrying the validated client certificate (Base64 DER). */
export const CLIENT_CERTIFICATE = 'client-certificate';

/**
 * The body of a Credentials `get` request: `type` and exactly one of `auth-id` (the normal case)
 * or `device-id` (Hono answers 501 to it by default). Every other member belongs to the *client
 * context*, e.g. `client-certificate`, whose presence triggers X.509 auto-provisioning. A missing
 * `type`, or both or neither of `auth-id`/`device-id`, is a 400.
 */
export const GetCredentialsRequestSchema = z
  .looseObject({
    type: CredentialTypeSchema,
    'auth-id': AuthIdSchema.optional().describe('The auth-id the device presented.'),
    'device-id': DeviceIdSchema.optional().describe('Alternative lookup key (mostly unsupported).'),
    [CLIENT_CERTIFICATE]: Base64Schema.optional().describe(
      'The Base64 DER device certificate, validated by the adapter; its subject must match auth-id.',
    ),
  })
  .refine(
    (request) => (request['auth-id'] === undefined) !== (request['device-id'] === undefined),
    {
      error: 'exactly one of auth-id and device-id is required',
    },
  )
  .describe('The body of a Credentials API get request.');

/** A Credentials `get` request body (see {@link GetCredentialsRequestSchema}). */
export type GetCredentialsRequest = z.infer<typeof GetCredentialsRequestSchema>;

/**
 * Splits a parsed `get` request into its lookup keys and its client context (everything except
 * `type`, `auth-id` and `device-id`, as Hono's DelegatingCredentialsAmqpEndpoint does).
 *
 * @param request the parsed request body.
 * @returns the lookup keys and the client context (possibly empty).
 */
export function splitGetCredentialsRequest(request: GetCredentialsRequest): {
  type: string;
  authId: GetCredentialsRequest['auth-id'];
  deviceId: GetCredentialsRequest['device-id'];
  clientContext: Record<string, unknown>;
} {
  const { type, 'auth-id': authId, 'device-id': deviceId, ...clientContext } = request;
  return { type, authId, deviceId, clientContext };
}

function jsonEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const aEntries = Object.entries(a);
  const bRecord = b as Record<string, unknown>;
  return (
    aEntries.length === Object.keys(b).length &&
    aEntries.every(([key, value]) => key in bRecord && jsonEquals(value, bRecord[key]))
  );
}

/**
 * Matches a client context against stored credentials (Hono `matchesWithClientContext`): every
 * non-null client-context member that also exists in the credentials' `ext` must be equal;
 * members missing from `ext` are ignored; an empty context or empty `ext` always matches. A
 * mismatch is answered with 404.
 *
 * @param clientContext the client context of the request.
 * @param ext the stored credentials' extension properties.
 * @returns whether the credentials may be returned for this request.
 */
export function matchesClientContext(
  clientContext: Readonly<Record<string, unknown>>,
  ext: Readonly<Record<string, unknown>> | undefined,
): boolean {
  if (ext === undefined) return true;
  return Object.entries(clientContext).every(
    ([name, value]) =>
      value === null || value === undefined || !(name in ext) || jsonEquals(value, ext[name]),
  );
}

/**
 * A secret in a `get` reply: the common members plus the type's confidential ones
 * (`pwd-hash`, `salt`, `hash-function` for `hashed-password`; `key` for `psk`; `key` and
 * `algorithm` for `rpk`). Adapters use only enabled secrets whose validity window contains "now".
 */
export const CredentialsObjectSecretSchema = z
  .looseObject({
    id: z.string().optional(),
    enabled: z.boolean().optional().describe('Whether the secret may be used. Default true.'),
    'not-before': DateTimeSchema.optional(),
    'not-after': DateTimeSchema.optional(),
    'hash-function': z.string().optional(),
    'pwd-hash': z.string().optional(),
    salt: Base64Schema.optional(),
    key: Base64Schema.optional(),
    algorithm: z.string().optional(),
  })
  .describe('A secret as protocol adapters receive it.');

/** A secret of a `get` reply (see {@link CredentialsObjectSecretSchema}). */
export type CredentialsObjectSecret = z.infer<typeof CredentialsObjectSecretSchema>;

/**
 * The reply body of a successful Credentials `get` (status 200, or 201 when the device was just
 * auto-provisioned), Hono's `CredentialsObject`: the stored credentials plus `device-id`, with
 * all secrets. Further stored members (`ext`, `comment`) are passed on.
 *
 * Other statuses: 400 (bad request; certificate subject does not match `auth-id`), 404 (no such,
 * or disabled, credentials; client-context mismatch; unknown tenant), 501 (lookup by device-id).
 * Only `hashed-password` and `x509-cert` replies are cacheable; `psk` and `rpk` carry `no-cache`.
 */
export const CredentialsObjectSchema = z
  .looseObject({
    'device-id': DeviceIdSchema.describe('The device the credentials belong to.'),
    type: CredentialTypeSchema,
    'auth-id': AuthIdSchema,
    enabled: z.boolean().optional().describe('Whether the credentials may be used. Default true.'),
    secrets: z.array(CredentialsObjectSecretSchema).min(1).describe('At least one secret.'),
    ext: ExtensionsSchema.optional(),
  })
  .describe('Credentials as protocol adapters receive them.');

/** The `get` reply body (see {@link CredentialsObjectSchema}). */
export type CredentialsObject = z.infer<typeof CredentialsObjectSchema>;
