import { z } from 'zod';

import {
  Base64Schema,
  DateTimeSchema,
  DefaultPropertiesSchema,
  ExtensionsSchema,
} from '../common/common.schema';
import { TenantAliasSchema, TenantIdSchema } from '../common/ids';
import { MessagingTypeSchema } from '../common/messaging-type';
import { checkIdentityTemplate } from './identity-template';

/*
 * The Tenant of the Device Registry Management API (device-registry-v1.yaml, schema `Tenant`).
 * Member names are Hono's exactly (kebab-case). Objects with `additionalProperties: false` in the
 * YAML are strict: unknown members are a 400, as in Hono. Defaults from the YAML are documented,
 * not materialised, so a tenant reads back the way it was written.
 */

/** The value meaning "no limit" in resource and registration limits. */
export const UNLIMITED = -1;

const limit = (description: string) =>
  z.int().min(UNLIMITED).optional().describe(`${description} -1 (the default) means no limit.`);

/**
 * Per-adapter configuration (`Adapter`, `additionalProperties: true`). Adapter-specific options
 * such as `max-ttd` go into its `ext`.
 */
export const AdapterSchema = z
  .looseObject({
    type: z
      .string()
      .min(1)
      .describe('The adapter type, e.g. hono-http, hono-mqtt, hono-amqp, hono-coap, hono-lora.'),
    enabled: z
      .boolean()
      .optional()
      .describe('Whether devices may use this adapter type. Default false.'),
    'device-authentication-required': z
      .boolean()
      .optional()
      .describe('Whether devices must authenticate to this adapter type. Default true.'),
    ext: ExtensionsSchema.optional().describe('Adapter-specific options, e.g. max-ttd (seconds).'),
  })
  .describe('Configuration of one type of protocol adapter for the tenant.');

/** Per-adapter configuration (see {@link AdapterSchema}). */
export type Adapter = z.infer<typeof AdapterSchema>;

/**
 * The accounting period of a data-volume or connection-duration limit (`Period`). Tessera
 * supports Hono's two modes; `no-of-days` is required for mode `days`.
 */
export const PeriodSchema = z
  .strictObject({
    mode: z
      .enum(['days', 'monthly'])
      .describe(
        'monthly: periods start on the 1st of each month (UTC); days: every no-of-days days.',
      ),
    'no-of-days': z
      .int()
      .min(1)
      .optional()
      .describe('The period length in days; only used (and then required) for mode "days".'),
  })
  .superRefine((period, ctx) => {
    if (period.mode === 'days' && period['no-of-days'] === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: 'no-of-days is required for mode "days"',
        path: ['no-of-days'],
      });
    }
  })
  .describe('The accounting period of a limit.');

/** An accounting period (see {@link PeriodSchema}). */
export type Period = z.infer<typeof PeriodSchema>;

/** The data volume limit (`DataVolume`). */
export const DataVolumeSchema = z
  .strictObject({
    'effective-since': DateTimeSchema.describe('When the data volume limit came into effect.'),
    'max-bytes': limit(
      'The number of bytes all devices of the tenant may transfer per accounting period.',
    ),
    period: PeriodSchema.optional(),
  })
  .describe('Limits the amount of data the devices of the tenant may transfer.');

/** The data volume limit (see {@link DataVolumeSchema}). */
export type DataVolume = z.infer<typeof DataVolumeSchema>;

/** The connection duration limit (`ConnectionDuration`). */
export const ConnectionDurationSchema = z
  .strictObject({
    'effective-since': DateTimeSchema.describe(
      'When the connection duration limit came into effect.',
    ),
    'max-minutes': limit(
      'The minutes all devices of the tenant together may be connected per accounting period.',
    ),
    period: PeriodSchema.optional(),
  })
  .describe('Limits how long the devices of the tenant may be connected.');

/** The connection duration limit (see {@link ConnectionDurationSchema}). */
export type ConnectionDuration = z.infer<typeof ConnectionDurationSchema>;

/** Resource limits enforced by the protocol adapters (`ResourceLimit`). TTLs are in seconds. */
export const ResourceLimitsSchema = z
  .strictObject({
    'max-connections': limit('The maximum number of concurrent device connections.'),
    'max-ttl': limit('The maximum time-to-live (seconds) of events.'),
    'max-ttl-telemetry-qos0': limit('The time-to-live (seconds) of QoS 0 telemetry.'),
    'max-ttl-telemetry-qos1': limit('The time-to-live (seconds) of QoS 1 telemetry.'),
    'max-ttl-command-response': limit('The time-to-live (seconds) of command responses.'),
    'data-volume': DataVolumeSchema.optional(),
    'connection-duration': ConnectionDurationSchema.optional(),
    ext: ExtensionsSchema.optional(),
  })
  .describe('Resource limits that the protocol adapters enforce for the tenant.');

/** Resource limits (see {@link ResourceLimitsSchema}). */
export type ResourceLimits = z.infer<typeof ResourceLimitsSchema>;

/**
 * Registration limits enforced by the registry (`RegistrationLimits`): exceeding one makes the
 * create or update fail with 403.
 */
export const RegistrationLimitsSchema = z
  .strictObject({
    'max-devices': limit('The maximum number of devices of the tenant.'),
    'max-credentials-per-device': limit('The maximum number of credentials per device.'),
  })
  .describe('Limits on the number of devices and credentials the registry accepts.');

/** Registration limits (see {@link RegistrationLimitsSchema}). */
export type RegistrationLimits = z.infer<typeof RegistrationLimitsSchema>;

/** The tracing sampling mode: the tracer's default, every span, or none. */
export const TracingSamplingModeSchema = z
  .enum(['default', 'all', 'none'])
  .describe('default: the tracing system decides; all: sample every span; none: sample no span.');

/** A tracing sampling mode (see {@link TracingSamplingModeSchema}). */
export type TracingSamplingMode = z.infer<typeof TracingSamplingModeSchema>;

/** Tracing configuration (`TracingConfig`). */
export const TracingConfigSchema = z
  .strictObject({
    'sampling-mode': TracingSamplingModeSchema.optional().describe(
      'The sampling mode for all devices of the tenant. Default "default".',
    ),
    'sampling-mode-per-auth-id': z
      .record(z.string(), TracingSamplingModeSchema)
      .optional()
      .describe('Sampling modes for specific devices, keyed by auth-id; these win.'),
  })
  .describe('How spans of messages of the tenant are sampled.');

/** Tracing configuration (see {@link TracingConfigSchema}). */
export type TracingConfig = z.infer<typeof TracingConfigSchema>;

const identityTemplate = (description: string) =>
  z
    .string()
    .superRefine((template, ctx) => {
      const problem = checkIdentityTemplate(template);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
    })
    .optional()
    .describe(
      `${description} Placeholders {{subject-dn}}, {{subject-cn}}, {{subject-ou}}, {{subject-o}}; ` +
        'at least one is required, others are rejected.',
    );

/**
 * A trusted certificate authority (`TrustedCA`). Either `cert` (the CA certificate; the registry
 * derives DN, key, algorithm and validity from it) or `public-key` together with `subject-dn`,
 * `not-before` and `not-after` must be given; with OCSP enabled, `cert` or `ocsp-responder-cert`
 * is required. Templates may only use the supported placeholders. Violations are a 400.
 */
export const TrustedCaSchema = z
  .strictObject({
    id: z
      .string()
      .min(1)
      .optional()
      .describe('Unique among the tenant’s trust anchors; assigned by the registry if missing.'),
    'subject-dn': z
      .string()
      .min(1)
      .optional()
      .describe('The RFC 2253 subject DN of the CA; required with public-key, ignored with cert.'),
    'subject-dn-bytes': Base64Schema.optional().describe(
      'The ASN.1 DER encoding of the subject DN; optional, helps OCSP.',
    ),
    'public-key': Base64Schema.optional().describe(
      'The Base64 DER encoding of the CA public key; either this or cert must be set.',
    ),
    algorithm: z
      .string()
      .min(1)
      .optional()
      .describe('The algorithm of the public key, e.g. RSA (the default) or EC.'),
    'not-before': DateTimeSchema.optional().describe(
      'Start of the validity period; required with public-key.',
    ),
    'not-after': DateTimeSchema.optional().describe(
      'End of the validity period; required with public-key.',
    ),
    cert: Base64Schema.optional().describe(
      'The Base64 DER encoding of the CA certificate; alternative to public-key and its fields.',
    ),
    'auth-id-template': identityTemplate(
      'Template for the auth-id of devices authenticating with certificates of this CA.',
    ),
    'auto-provisioning-enabled': z
      .boolean()
      .optional()
      .describe(
        'Whether unknown devices with certificates of this CA are provisioned. Default false.',
      ),
    'auto-provision-as-gateway': z
      .boolean()
      .optional()
      .describe('Whether auto-provisioned devices become gateways. Default false.'),
    'auto-provisioning-device-id-template': identityTemplate(
      'Template for the device ID of auto-provisioned devices; a random UUID if not set.',
    ),
    'ocsp-revocation-enabled': z
      .boolean()
      .optional()
      .describe('Whether client certificates are checked via OCSP. Default false.'),
    'ocsp-responder-uri': z
      .string()
      .min(1)
      .optional()
      .describe('The OCSP responder; the certificate’s AIA extension is used if not set.'),
    'ocsp-responder-cert': Base64Schema.optional().describe(
      'The Base64 DER certificate that signs OCSP responses; the CA itself if not set.',
    ),
    'ocsp-nonce-enabled': z
      .boolean()
      .optional()
      .describe('Whether OCSP requests carry a nonce. Default false.'),
  })
  .superRefine((ca, ctx) => {
    if (ca.cert === undefined) {
      if (ca['public-key'] === undefined) {
        ctx.addIssue({
          code: 'custom',
          message: 'either cert or public-key must be set',
          path: ['public-key'],
        });
      } else {
        for (const field of ['subject-dn', 'not-before', 'not-after'] as const) {
          if (ca[field] === undefined) {
            ctx.addIssue({
              code: 'custom',
              message: `${field} is required when public-key is used`,
              path: [field],
            });
          }
        }
      }
    }
    const notBefore = ca['not-before'];
    const notAfter = ca['not-after'];
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
    if (
      ca['ocsp-revocation-enabled'] === true &&
      ca.cert === undefined &&
      ca['ocsp-responder-cert'] === undefined
    ) {
      ctx.addIssue({
        code: 'custom',
        message: 'OCSP revocation checks need cert or ocsp-responder-cert',
        path: ['ocsp-responder-cert'],
      });
    }
  })
  .describe('A root CA whose certificates devices of the tenant may authenticate with.');

/** A trusted certificate authority (see {@link TrustedCaSchema}). */
export type TrustedCa = z.infer<typeof TrustedCaSchema>;

/**
 * The tenant's extension properties. Free-form, but the keys the platform reads are typed:
 * `messaging-type` (`amqp` | `kafka`) and `invalidate-cache-on-update` (boolean).
 */
export const TenantExtensionsSchema = z
  .looseObject({
    'messaging-type': MessagingTypeSchema.optional().describe(
      'The messaging system for the tenant’s downstream messages (amqp or kafka).',
    ),
    'invalidate-cache-on-update': z
      .boolean()
      .optional()
      .describe('Whether adapters drop cached tenant data on every update, not only on disable.'),
  })
  .describe(
    'Arbitrary extension properties; messaging-type and invalidate-cache-on-update are read.',
  );

/** Tenant extension properties (see {@link TenantExtensionsSchema}). */
export type TenantExtensions = z.infer<typeof TenantExtensionsSchema>;

const tenantShape = {
  enabled: z
    .boolean()
    .optional()
    .describe('Whether devices of the tenant may connect. Default true.'),
  alias: TenantAliasSchema.optional(),
  ext: TenantExtensionsSchema.optional(),
  adapters: z
    .array(AdapterSchema)
    .optional()
    .describe(
      'Per adapter type configuration; must not be empty if set, one entry per type. ' +
        'If not set, all adapters are enabled with their defaults.',
    ),
  defaults: DefaultPropertiesSchema.optional(),
  'minimum-message-size': z
    .int()
    .min(0)
    .optional()
    .describe('Payload sizes are metered as multiples of this many bytes. Default 0.'),
  'registration-limits': RegistrationLimitsSchema.optional(),
  'resource-limits': ResourceLimitsSchema.optional(),
  tracing: TracingConfigSchema.optional(),
  'trust-anchor-group': z
    .string()
    .min(1)
    .optional()
    .describe('Tenants in the same group may use trusted CAs with the same subject DN.'),
  'trusted-ca': z
    .array(TrustedCaSchema)
    .optional()
    .describe('The root CAs used to verify client certificates of the tenant’s devices.'),
};

type TenantShapeValue = z.infer<z.ZodObject<typeof tenantShape>>;

function checkTenant(tenant: TenantShapeValue, ctx: z.RefinementCtx): void {
  const adapters = tenant.adapters;
  if (adapters !== undefined) {
    if (adapters.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'adapters must not be empty', path: ['adapters'] });
    }
    const seen = new Set<string>();
    adapters.forEach((adapter, index) => {
      if (seen.has(adapter.type)) {
        ctx.addIssue({
          code: 'custom',
          message: `duplicate adapter type ${adapter.type}`,
          path: ['adapters', index, 'type'],
        });
      }
      seen.add(adapter.type);
    });
  }
  const ids = new Set<string>();
  tenant['trusted-ca']?.forEach((ca, index) => {
    if (ca.id === undefined) return;
    if (ids.has(ca.id)) {
      ctx.addIssue({
        code: 'custom',
        message: `trust anchor IDs must be unique within a tenant: ${ca.id}`,
        path: ['trusted-ca', index, 'id'],
      });
    }
    ids.add(ca.id);
  });
}

/**
 * The tenant as accepted by `POST/PUT /v1/tenants/{tenantId}` and returned by
 * `GET /v1/tenants/{tenantId}` (`Tenant`, `additionalProperties: false`). PUT replaces the whole
 * tenant. Invalid bodies are a 400 ClientError; duplicate alias or CA subject DN are the
 * registry's 409.
 */
export const TenantSchema = z
  .strictObject(tenantShape)
  .superRefine(checkTenant)
  .describe('The configuration of a tenant.');

/** A tenant of the management API (see {@link TenantSchema}). */
export type Tenant = z.infer<typeof TenantSchema>;

/** A tenant together with its identifier, as listed in search results (`TenantWithId`). */
export const TenantWithIdSchema = z
  .strictObject({ id: TenantIdSchema.describe('The identifier of the tenant.'), ...tenantShape })
  .superRefine(checkTenant)
  .describe('A tenant and its identifier.');

/** A tenant with its identifier (see {@link TenantWithIdSchema}). */
export type TenantWithId = z.infer<typeof TenantWithIdSchema>;

/**
 * The body of `GET /v1/tenants` (`SearchTenantsResult`). An empty result is answered with 404,
 * never with an empty list.
 */
export const SearchTenantsResultSchema = z
  .strictObject({
    total: z
      .int()
      .min(0)
      .describe('The number of all matching tenants, regardless of the page size.'),
    result: z.array(TenantWithIdSchema).describe('The requested page of matching tenants.'),
  })
  .describe('The result of a tenant search.');

/** A tenant search result (see {@link SearchTenantsResultSchema}). */
export type SearchTenantsResult = z.infer<typeof SearchTenantsResultSchema>;
