import { z } from 'zod';

/*
 * Identifier rules of Hono's device registry (RegistryManagementConstants.DEFAULT_REGEX_*).
 * The OpenAPI file declares the path parameters as plain strings; the patterns below are what
 * Hono's registry enforces on them (400 Bad Request otherwise). The 256-character limits mirror
 * the column sizes of Hono's JDBC schema (VARCHAR(256), VARCHAR(64) for the credential type).
 * The character classes are written with a trailing `-` so they mean the same in JS as in Java.
 */

/** Maximum length of a tenant ID, device ID or auth-id (Hono JDBC schema: `VARCHAR(256)`). */
export const MAX_ID_LENGTH = 256;

/** Maximum length of a credentials `type` (Hono JDBC schema: `VARCHAR(64)`). */
export const MAX_CREDENTIAL_TYPE_LENGTH = 64;

/** Hono's `DEFAULT_REGEX_TENANT_ID` `^[a-zA-Z0-9-_\.]+$`. */
export const TENANT_ID_PATTERN = /^[a-zA-Z0-9_.-]+$/;

/** Hono's `DEFAULT_REGEX_DEVICE_ID` `^[a-zA-Z0-9-_\.:=]+$` (Hono lets operators override it). */
export const DEVICE_ID_PATTERN = /^[a-zA-Z0-9_.:=-]+$/;

/**
 * Hono's `DEFAULT_REGEX_USERNAME` `^[a-zA-Z0-9-_=\.]+$`: the auth-id of `hashed-password`
 * credentials, i.e. the user part of `auth-id@tenant` (so it can never contain `@`).
 */
export const PASSWORD_AUTH_ID_PATTERN = /^[a-zA-Z0-9_=.-]+$/;

/** Hono's `CredentialsConstants.PATTERN_TYPE_VALUE` `^[a-z0-9-]+$` for credentials types. */
export const CREDENTIAL_TYPE_PATTERN = /^[a-z0-9-]+$/;

/** A tenant alias must be an LDH label: lower-case letters, digits and hyphens (Tenant.java). */
export const TENANT_ALIAS_PATTERN = /^[a-z0-9-]+$/;

/**
 * A tenant identifier (`tenant-id` in JSON, `tenant_id` in application properties).
 * Invalid values are a client error: 400 on HTTP and on the AMQP APIs.
 */
export const TenantIdSchema = z
  .string()
  .min(1)
  .max(MAX_ID_LENGTH)
  .regex(TENANT_ID_PATTERN, { error: 'tenant ID must match ^[a-zA-Z0-9-_.]+$' })
  .brand<'TenantId'>()
  .describe('The identifier of a tenant; matches ^[a-zA-Z0-9-_.]+$, at most 256 characters.');

/** A validated tenant identifier (see {@link TenantIdSchema}). */
export type TenantId = z.infer<typeof TenantIdSchema>;

/**
 * A device (or gateway) identifier (`device-id` in JSON, `device_id`/`gateway_id` in application
 * properties). Invalid values are a client error (400).
 */
export const DeviceIdSchema = z
  .string()
  .min(1)
  .max(MAX_ID_LENGTH)
  .regex(DEVICE_ID_PATTERN, { error: 'device ID must match ^[a-zA-Z0-9-_.:=]+$' })
  .brand<'DeviceId'>()
  .describe('The identifier of a device; matches ^[a-zA-Z0-9-_.:=]+$, at most 256 characters.');

/** A validated device identifier (see {@link DeviceIdSchema}). */
export type DeviceId = z.infer<typeof DeviceIdSchema>;

/**
 * An authentication identifier of any credentials type (`auth-id`). Its syntax depends on the
 * type: an RFC 2253 subject DN for `x509-cert`, the PSK identity for `psk`, a user name for
 * `hashed-password` (see {@link PasswordAuthIdSchema}). Empty values are a client error (400).
 */
export const AuthIdSchema = z
  .string()
  .min(1)
  .max(MAX_ID_LENGTH)
  .brand<'AuthId'>()
  .describe('The authentication identifier a device presents; unique per tenant and type.');

/** A validated authentication identifier (see {@link AuthIdSchema}). */
export type AuthId = z.infer<typeof AuthIdSchema>;

/**
 * The auth-id of `hashed-password` credentials: the user part of `auth-id@tenant`, matching
 * `^[a-zA-Z0-9-_=.]+$`. Anything else is a client error (400), as in Hono's PasswordCredential.
 */
export const PasswordAuthIdSchema = z
  .string()
  .min(1)
  .max(MAX_ID_LENGTH)
  .regex(PASSWORD_AUTH_ID_PATTERN, {
    error: 'hashed-password auth-id must match ^[a-zA-Z0-9-_=.]+$',
  })
  .brand<'AuthId'>()
  .describe('The user part of the user name auth-id@tenant; matches ^[a-zA-Z0-9-_=.]+$.');

/**
 * A credentials type name (`type`): `hashed-password`, `psk`, `x509-cert`, `rpk` or a custom
 * type matching `^[a-z0-9-]+$`. Anything else is a client error (400).
 */
export const CredentialTypeSchema = z
  .string()
  .min(1)
  .max(MAX_CREDENTIAL_TYPE_LENGTH)
  .regex(CREDENTIAL_TYPE_PATTERN, { error: 'credentials type must match ^[a-z0-9-]+$' })
  .describe('The credentials type, e.g. hashed-password, psk, x509-cert, rpk.');

/** A tenant alias: a unique LDH label that the tenant can also be looked up by (e.g. via SNI). */
export const TenantAliasSchema = z
  .string()
  .regex(TENANT_ALIAS_PATTERN, { error: 'alias must be a valid LDH label ([a-z0-9-]+)' })
  .describe(
    'An alternative identifier (LDH label: lower-case letters, digits, hyphens) that the tenant ' +
      'may be looked up by; unique among all tenants.',
  );

/**
 * Validates a tenant ID without throwing.
 *
 * @param value any value, e.g. a path parameter or an application property.
 * @returns whether `value` is a valid {@link TenantId}.
 */
export function isTenantId(value: unknown): value is TenantId {
  return TenantIdSchema.safeParse(value).success;
}

/**
 * Validates a device ID without throwing.
 *
 * @param value any value, e.g. a path parameter or an application property.
 * @returns whether `value` is a valid {@link DeviceId}.
 */
export function isDeviceId(value: unknown): value is DeviceId {
  return DeviceIdSchema.safeParse(value).success;
}
