import { z } from 'zod';

import { Base64Schema, DateTimeSchema, ExtensionsSchema } from '../common/common.schema';
import { AuthIdSchema, CredentialTypeSchema, PasswordAuthIdSchema } from '../common/ids';

/*
 * The credentials of the Device Registry Management API (device-registry-v1.yaml, schemas
 * `CredentialsSet`, `TypedCredentials` and the per-type credentials and secrets). Credentials are
 * always read and written as the whole set of one device.
 *
 * One schema serves requests and responses: a secret that carries only its `id` (and metadata)
 * is valid, because that is how GET returns secrets ("patch mode") and how PUT refers to a stored
 * secret whose confidential members are kept.
 */

/** The credentials types with a defined secret format. */
export const CredentialType = {
  HASHED_PASSWORD: 'hashed-password',
  PSK: 'psk',
  X509_CERT: 'x509-cert',
  RPK: 'rpk',
} as const;

/** One of the predefined credentials types. */
export type KnownCredentialType = (typeof CredentialType)[keyof typeof CredentialType];

const KNOWN_TYPES: readonly string[] = Object.values(CredentialType);

/** Hash functions the protocol adapters verify (Hono `CredentialsConstants.HASH_FUNCTION_*`). */
export const HashFunction = {
  BCRYPT: 'bcrypt',
  SHA_256: 'sha-256',
  SHA_512: 'sha-512',
} as const;

/** The hash function assumed when a hashed-password secret names none (Hono default). */
export const DEFAULT_HASH_FUNCTION = HashFunction.SHA_256;

/**
 * A bcrypt hash that Hono can verify: version `2a` only, e.g. `$2a$10$…` (Hono `BCryptHelper`).
 * Other versions or malformed hashes are rejected with 400.
 */
export const BCRYPT_HASH_PATTERN = /^\$2a\$(\d{1,2})\$[./0-9A-Za-z]{53}$/;

/**
 * Reads the cost factor of a bcrypt hash, so that a registry can enforce its maximum
 * (Hono `maxBcryptCostFactor`, default 10; exceeding it is a 400).
 *
 * @param hash the `pwd-hash` of a `bcrypt` secret.
 * @returns the cost factor, or `undefined` if `hash` is not a `$2a$` bcrypt hash.
 */
export function bcryptCostFactor(hash: string): number | undefined {
  const match = BCRYPT_HASH_PATTERN.exec(hash);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

const commonSecretShape = {
  id: z
    .string()
    .min(1)
    .optional()
    .describe('Assigned by the registry; refers to a stored secret when updating.'),
  enabled: z
    .boolean()
    .optional()
    .describe('Whether the secret may be used for authentication. Default true.'),
  'not-before': DateTimeSchema.optional().describe('From when on the secret is accepted.'),
  'not-after': DateTimeSchema.optional().describe('Until when the secret is accepted.'),
  comment: z.string().optional().describe('A free-form comment.'),
};

type CommonSecretValue = z.infer<z.ZodObject<typeof commonSecretShape>>;

function checkValidityWindow(secret: CommonSecretValue, ctx: z.RefinementCtx): void {
  const notBefore = secret['not-before'];
  const notAfter = secret['not-after'];
  if (
    notBefore !== undefined &&
    notAfter !== undefined &&
    Date.parse(notBefore) > Date.parse(notAfter)
  ) {
    ctx.addIssue({
      code: 'custom',
      message: 'not-before must not be after not-after',
      path: ['not-before'],
    });
  }
}

/** The members every secret may have (`CommonSecret`). */
export const CommonSecretSchema = z
  .strictObject(commonSecretShape)
  .superRefine(checkValidityWindow)
  .describe('A secret without type-specific members.');

/** A secret's common members (see {@link CommonSecretSchema}). */
export type CommonSecret = z.infer<typeof CommonSecretSchema>;

/**
 * A `hashed-password` secret (`PasswordSecret`). On input it carries either `pwd-plain` (hashed
 * by the registry; the hash members are then ignored) or `pwd-hash` + `hash-function` (+ `salt`),
 * or only an `id` referring to a stored secret. A `bcrypt` hash must be a `$2a$` hash.
 */
export const PasswordSecretSchema = z
  .strictObject({
    ...commonSecretShape,
    'hash-function': z
      .string()
      .min(1)
      .optional()
      .describe('The hash function of pwd-hash: bcrypt, sha-256 or sha-512.'),
    'pwd-hash': z
      .string()
      .min(1)
      .optional()
      .describe('The bcrypt hash, or the Base64 of hash(salt bytes + UTF-8 password).'),
    salt: Base64Schema.optional().describe('The Base64 salt used for pwd-hash (sha-* only).'),
    'pwd-plain': z
      .string()
      .min(1)
      .optional()
      .describe('Write-only: the clear-text password, hashed by the registry; never returned.'),
  })
  .superRefine((secret, ctx) => {
    checkValidityWindow(secret, ctx);
    if (secret['pwd-plain'] !== undefined) return;
    const hashFunction = secret['hash-function'];
    const hash = secret['pwd-hash'];
    if (hashFunction === undefined && hash === undefined && secret.salt === undefined) {
      if (secret.id === undefined) {
        ctx.addIssue({
          code: 'custom',
          message: 'a secret needs pwd-plain, or pwd-hash and hash-function, or an id',
          path: ['pwd-hash'],
        });
      }
      return;
    }
    if (hashFunction === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: 'hash-function is required',
        path: ['hash-function'],
      });
    }
    if (hash === undefined) {
      ctx.addIssue({ code: 'custom', message: 'pwd-hash is required', path: ['pwd-hash'] });
    } else if (hashFunction === HashFunction.BCRYPT && !BCRYPT_HASH_PATTERN.test(hash)) {
      ctx.addIssue({
        code: 'custom',
        message: 'pwd-hash is not a supported bcrypt hash ($2a$ only)',
        path: ['pwd-hash'],
      });
    }
  })
  .describe('A password secret.');

/** A `hashed-password` secret (see {@link PasswordSecretSchema}). */
export type PasswordSecret = z.infer<typeof PasswordSecretSchema>;

/** A `psk` secret (`PSKSecret`): the Base64 `key`, required unless the secret only has an `id`. */
export const PskSecretSchema = z
  .strictObject({
    ...commonSecretShape,
    key: Base64Schema.min(1).optional().describe('The Base64 pre-shared key; never returned.'),
  })
  .superRefine((secret, ctx) => {
    checkValidityWindow(secret, ctx);
    if (secret.key === undefined && secret.id === undefined) {
      ctx.addIssue({ code: 'custom', message: 'key is required', path: ['key'] });
    }
  })
  .describe('A pre-shared key secret.');

/** A `psk` secret (see {@link PskSecretSchema}). */
export type PskSecret = z.infer<typeof PskSecretSchema>;

/** An `x509-cert` secret (`X509CertificateSecret`): only the validity window of the certificate. */
export const X509CertificateSecretSchema = CommonSecretSchema.describe(
  'The validity period of a client certificate.',
);

/** An `x509-cert` secret (see {@link X509CertificateSecretSchema}). */
export type X509CertificateSecret = z.infer<typeof X509CertificateSecretSchema>;

/**
 * An `rpk` secret (`RPKSecret`): a Base64 DER public `key` (+ `algorithm`, default RSA) or the
 * write-only `cert` it is taken from, unless the secret only has an `id`.
 */
export const RpkSecretSchema = z
  .strictObject({
    ...commonSecretShape,
    algorithm: z
      .string()
      .min(1)
      .optional()
      .describe('The algorithm of the key, RSA (default) or EC; taken from cert if given.'),
    key: Base64Schema.min(1).optional().describe('The Base64 DER encoding of the public key.'),
    cert: Base64Schema.min(1)
      .optional()
      .describe(
        'Write-only: the Base64 DER certificate the key, algorithm and validity come from.',
      ),
  })
  .superRefine((secret, ctx) => {
    checkValidityWindow(secret, ctx);
    if (secret.key === undefined && secret.cert === undefined && secret.id === undefined) {
      ctx.addIssue({ code: 'custom', message: 'either key or cert must be set', path: ['key'] });
    }
  })
  .describe('A raw public key secret (used for JWT authentication).');

/** An `rpk` secret (see {@link RpkSecretSchema}). */
export type RpkSecret = z.infer<typeof RpkSecretSchema>;

/** A secret of a custom credentials type: the common members plus anything else. */
export const GenericSecretSchema = z
  .looseObject(commonSecretShape)
  .superRefine(checkValidityWindow)
  .describe('A secret of a custom credentials type.');

/** A secret of a custom credentials type (see {@link GenericSecretSchema}). */
export type GenericSecret = z.infer<typeof GenericSecretSchema>;

const commonCredentialShape = {
  enabled: z
    .boolean()
    .optional()
    .describe('Whether the credentials may be used. Default true; disabled ones give 404.'),
  ext: ExtensionsSchema.optional().describe(
    'Extension properties; matched against the client context of a get request.',
  ),
  comment: z.string().optional().describe('A free-form comment (accepted by Hono’s registry).'),
};

/** `hashed-password` credentials (`PasswordCredentials`). */
export const PasswordCredentialSchema = z
  .strictObject({
    type: z.literal(CredentialType.HASHED_PASSWORD),
    'auth-id': PasswordAuthIdSchema,
    ...commonCredentialShape,
    secrets: z.array(PasswordSecretSchema).min(1).describe('At least one password secret.'),
  })
  .describe('Credentials for user name and password authentication (user name auth-id@tenant).');

/** `hashed-password` credentials (see {@link PasswordCredentialSchema}). */
export type PasswordCredential = z.infer<typeof PasswordCredentialSchema>;

/** `psk` credentials (`PSKCredentials`); the auth-id is the PSK identity. */
export const PskCredentialSchema = z
  .strictObject({
    type: z.literal(CredentialType.PSK),
    'auth-id': AuthIdSchema.describe('The PSK identity the device presents in the TLS handshake.'),
    ...commonCredentialShape,
    secrets: z.array(PskSecretSchema).min(1).describe('At least one pre-shared key secret.'),
  })
  .describe('Credentials for TLS-PSK (DTLS) authentication.');

/** `psk` credentials (see {@link PskCredentialSchema}). */
export type PskCredential = z.infer<typeof PskCredentialSchema>;

/**
 * `x509-cert` credentials (`X509CertificateCredentials`): either `auth-id` (the RFC 2253 subject
 * DN, or the output of the CA's `auth-id-template`) with exactly one secret, or the write-only
 * `cert` that the registry derives both from and then discards.
 */
export const X509CertificateCredentialSchema = z
  .strictObject({
    type: z.literal(CredentialType.X509_CERT),
    'auth-id': AuthIdSchema.optional().describe(
      'The subject DN (RFC 2253) of the client certificate, or the auth-id-template result.',
    ),
    ...commonCredentialShape,
    secrets: z
      .array(X509CertificateSecretSchema)
      .min(1)
      .max(1)
      .optional()
      .describe('Exactly one secret holding the certificate’s validity period.'),
    cert: Base64Schema.min(1)
      .optional()
      .describe('Write-only: the Base64 DER client certificate to take auth-id and validity from.'),
  })
  .superRefine((credential, ctx) => {
    if (credential.cert !== undefined) return;
    if (credential['auth-id'] === undefined) {
      ctx.addIssue({ code: 'custom', message: 'auth-id or cert is required', path: ['auth-id'] });
    }
    if (credential.secrets === undefined) {
      ctx.addIssue({ code: 'custom', message: 'secrets or cert is required', path: ['secrets'] });
    }
  })
  .describe('Credentials for client certificate authentication.');

/** `x509-cert` credentials (see {@link X509CertificateCredentialSchema}). */
export type X509CertificateCredential = z.infer<typeof X509CertificateCredentialSchema>;

/** `rpk` credentials (`RPKCredentials`), used for JWT-based authentication. */
export const RpkCredentialSchema = z
  .strictObject({
    type: z.literal(CredentialType.RPK),
    'auth-id': AuthIdSchema.describe('The auth-id in the JWT `sub` claim or the client ID.'),
    ...commonCredentialShape,
    secrets: z.array(RpkSecretSchema).min(1).describe('At least one public key secret.'),
  })
  .describe('Credentials for JWT authentication with a raw public key.');

/** `rpk` credentials (see {@link RpkCredentialSchema}). */
export type RpkCredential = z.infer<typeof RpkCredentialSchema>;

/**
 * Credentials of a custom type (Hono `GenericCredential`, not in the OpenAPI file): a `type`
 * matching `^[a-z0-9-]+$` other than the predefined ones, an `auth-id`, at least one secret and
 * any further members.
 */
export const GenericCredentialSchema = z
  .looseObject({
    type: CredentialTypeSchema.refine((type) => !KNOWN_TYPES.includes(type), {
      error: 'predefined credentials types must follow their own schema',
    }),
    'auth-id': AuthIdSchema,
    ...commonCredentialShape,
    secrets: z.array(GenericSecretSchema).min(1).describe('At least one secret.'),
  })
  .describe('Credentials of a custom type.');

/** Credentials of a custom type (see {@link GenericCredentialSchema}). */
export type GenericCredential = z.infer<typeof GenericCredentialSchema>;

/** Credentials of one of the predefined types, discriminated by `type` (`TypedCredentials`). */
export const KnownCredentialSchema = z.discriminatedUnion('type', [
  PasswordCredentialSchema,
  PskCredentialSchema,
  X509CertificateCredentialSchema,
  RpkCredentialSchema,
]);

/** Credentials of a predefined type (see {@link KnownCredentialSchema}). */
export type KnownCredential = z.infer<typeof KnownCredentialSchema>;

const KNOWN_SCHEMAS = {
  [CredentialType.HASHED_PASSWORD]: PasswordCredentialSchema,
  [CredentialType.PSK]: PskCredentialSchema,
  [CredentialType.X509_CERT]: X509CertificateCredentialSchema,
  [CredentialType.RPK]: RpkCredentialSchema,
} as const;

/** One entry of a credentials set as written by a client. */
export type CredentialInput =
  z.input<typeof KnownCredentialSchema> | z.input<typeof GenericCredentialSchema>;

/** One entry of a credentials set: a predefined type or a custom one. */
export type Credential = KnownCredential | GenericCredential;

function typeOf(value: unknown): unknown {
  return typeof value === 'object' && value !== null && 'type' in value ? value.type : undefined;
}

/**
 * One entry of a credentials set: a predefined type ({@link KnownCredentialSchema}) or a custom
 * one ({@link GenericCredentialSchema}). The entry is validated by the schema its `type` selects,
 * so that errors point at the offending member (a plain union would only say "invalid input").
 */
export const CredentialSchema = z
  .unknown()
  .transform((value, ctx): Credential => {
    const type = typeOf(value);
    const schema =
      typeof type === 'string' && isKnownType(type) ? KNOWN_SCHEMAS[type] : GenericCredentialSchema;
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    for (const issue of result.error.issues) {
      // re-raise the selected schema's issues unchanged (their paths are relative to the entry)
      ctx.addIssue({ ...issue });
    }
    return z.NEVER;
  })
  .describe('Credentials of one type and auth-id.') as unknown as z.ZodType<
  Credential,
  CredentialInput
>;

/**
 * The body of `GET/PUT /v1/credentials/{tenantId}/{deviceId}` (`CredentialsSet`). Entries must be
 * unique by (`type`, `auth-id`); a duplicate is a 400. A clash with another device of the tenant
 * is the registry's 409, exceeding `max-credentials-per-device` its 403.
 */
export const CredentialsSetSchema = z
  .array(CredentialSchema)
  .superRefine((credentials, ctx) => {
    const seen = new Set<string>();
    credentials.forEach((credential, index) => {
      const authId = credential['auth-id'];
      if (authId === undefined) return;
      const key = `${credential.type}\u0000${authId}`;
      if (seen.has(key)) {
        ctx.addIssue({
          code: 'custom',
          message: `duplicate credentials for type ${credential.type} and auth-id ${authId}`,
          path: [index, 'auth-id'],
        });
      }
      seen.add(key);
    });
  })
  .describe('The set of credentials of a device, unique by type and auth-id.');

/** A device's credentials set (see {@link CredentialsSetSchema}). */
export type CredentialsSet = z.infer<typeof CredentialsSetSchema>;

/** Members removed from secrets of each predefined type before they leave the registry. */
const CONFIDENTIAL_SECRET_MEMBERS: Readonly<Record<KnownCredentialType, readonly string[]>> = {
  'hashed-password': ['pwd-hash', 'salt', 'hash-function', 'pwd-plain'],
  psk: ['key'],
  'x509-cert': [],
  rpk: ['cert'],
};

/** Write-only members removed from the credentials object itself. */
const WRITE_ONLY_CREDENTIAL_MEMBERS: Readonly<Record<KnownCredentialType, readonly string[]>> = {
  'hashed-password': [],
  psk: [],
  'x509-cert': ['cert'],
  rpk: [],
};

function omit<T extends object>(value: T, members: readonly string[]): T {
  if (members.length === 0) return { ...value };
  return Object.fromEntries(Object.entries(value).filter(([name]) => !members.includes(name))) as T;
}

function isKnownType(type: string): type is KnownCredentialType {
  return KNOWN_TYPES.includes(type);
}

/**
 * Removes confidential and write-only members from a credentials set for a management API
 * response (Hono `CommonCredential#stripPrivateInfo`, "patch mode"):
 * - `hashed-password` secrets lose `pwd-hash`, `salt`, `hash-function` and `pwd-plain`;
 * - `psk` secrets lose `key`;
 * - `rpk` secrets lose the write-only `cert` (the public `key` and `algorithm` stay);
 * - `x509-cert` credentials lose the write-only `cert`.
 *
 * Custom types are returned unchanged. Secret `id`s and metadata stay, so that a client can refer
 * to a secret in a later PUT. The input is not modified.
 *
 * @param credentials the stored credentials set.
 * @returns a stripped copy.
 */
export function stripSecrets(credentials: CredentialsSet): CredentialsSet {
  return credentials.map((credential): Credential => {
    const type = credential.type;
    if (!isKnownType(type)) return credential;
    const stripped = omit(credential, WRITE_ONLY_CREDENTIAL_MEMBERS[type]);
    const secrets: readonly object[] | undefined = stripped.secrets;
    if (secrets === undefined) return stripped;
    return {
      ...stripped,
      secrets: secrets.map((secret) => omit(secret, CONFIDENTIAL_SECRET_MEMBERS[type])),
    } as Credential;
  });
}
