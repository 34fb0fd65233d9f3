import { z } from 'zod';

import { Base64Schema, DefaultPropertiesSchema, ExtensionsSchema } from '../common/common.schema';
import { TenantIdSchema, type TenantId } from '../common/ids';
import {
  ResourceLimitsSchema,
  TracingConfigSchema,
  type Tenant,
  type TrustedCa,
} from '../tenant/tenant.schema';

/*
 * Tenant API (AMQP, address `tenant`, subject `get`): request body and the adapter-facing
 * "TenantObject" reply (Hono api/tenant, TenantObject, DeviceRegistryUtils.convertTenant).
 */

/**
 * The body of a Tenant `get` request: `{"tenant-id": …}` or `{"subject-dn": …}` (the RFC 2253
 * subject DN of one of the tenant's trusted CAs). When both are present `tenant-id` wins, as in
 * Hono. Neither, or an invalid tenant ID, is a 400. Other members are ignored.
 */
export const TenantGetRequestSchema = z
  .object({
    'tenant-id': TenantIdSchema.optional().describe('The tenant ID (or alias) to look up.'),
    'subject-dn': z
      .string()
      .min(1)
      .optional()
      .describe('The subject DN of a trusted CA of the tenant to look up.'),
  })
  .refine((request) => request['tenant-id'] !== undefined || request['subject-dn'] !== undefined, {
    error: 'either tenant-id or subject-dn is required',
  })
  .describe('The body of a Tenant API get request.');

/** A Tenant `get` request body (see {@link TenantGetRequestSchema}). */
export type TenantGetRequest = z.infer<typeof TenantGetRequestSchema>;

/** An adapter configuration as adapters see it: defaults materialised, options in `ext`. */
export const TenantObjectAdapterSchema = z
  .looseObject({
    type: z.string().min(1).describe('The adapter type, e.g. hono-mqtt.'),
    enabled: z.boolean().describe('Whether devices may use this adapter type.'),
    'device-authentication-required': z
      .boolean()
      .describe('Whether devices must authenticate to this adapter type.'),
    ext: ExtensionsSchema.optional().describe('Adapter-specific options, e.g. max-ttd.'),
  })
  .describe('The configuration of one protocol adapter type.');

/** An adapter configuration in a TenantObject (see {@link TenantObjectAdapterSchema}). */
export type TenantObjectAdapter = z.infer<typeof TenantObjectAdapterSchema>;

/**
 * A trusted CA as adapters see it: without validity period, `cert` and the registry-internal
 * `auto-provision-as-gateway` / `auto-provisioning-device-id-template`.
 */
export const TenantObjectTrustedCaSchema = z
  .looseObject({
    id: z.string().optional().describe('The trust anchor ID.'),
    'subject-dn': z.string().min(1).describe('The RFC 2253 subject DN of the CA.'),
    'subject-dn-bytes': Base64Schema.optional().describe('The DER encoding of the subject DN.'),
    'public-key': Base64Schema.describe('The Base64 DER encoding of the CA public key.'),
    algorithm: z.string().optional().describe('The key algorithm: RSA (default) or EC.'),
    'auto-provisioning-enabled': z
      .boolean()
      .optional()
      .describe('Whether devices with certificates of this CA may be auto-provisioned.'),
    'auth-id-template': z.string().optional().describe('Template for the auth-id of devices.'),
    'ocsp-revocation-enabled': z.boolean().optional(),
    'ocsp-responder-uri': z.string().optional(),
    'ocsp-responder-cert': Base64Schema.optional(),
    'ocsp-nonce-enabled': z.boolean().optional(),
  })
  .describe('A trusted CA of the tenant.');

/** A trusted CA in a TenantObject (see {@link TenantObjectTrustedCaSchema}). */
export type TenantObjectTrustedCa = z.infer<typeof TenantObjectTrustedCaSchema>;

/**
 * The reply body of a successful Tenant `get` (status 200): the "TenantObject". Additional
 * members are allowed and kept.
 */
export const TenantObjectSchema = z
  .looseObject({
    'tenant-id': TenantIdSchema.describe('The tenant ID.'),
    enabled: z.boolean().describe('Whether devices of the tenant may connect.'),
    adapters: z.array(TenantObjectAdapterSchema).optional(),
    defaults: DefaultPropertiesSchema.optional(),
    'minimum-message-size': z.int().min(0).optional(),
    'resource-limits': ResourceLimitsSchema.optional(),
    tracing: TracingConfigSchema.optional(),
    'trusted-ca': z.array(TenantObjectTrustedCaSchema).optional(),
    ext: ExtensionsSchema.optional(),
  })
  .describe('The tenant configuration that protocol adapters use.');

/** The Tenant API reply body (see {@link TenantObjectSchema}). */
export type TenantObject = z.infer<typeof TenantObjectSchema>;

/** Trusted CA members that the Tenant API never exposes to adapters. */
const INTERNAL_CA_MEMBERS: readonly string[] = [
  'not-before',
  'not-after',
  'cert',
  'auto-provision-as-gateway',
  'auto-provisioning-device-id-template',
];

function isValidAt(ca: TrustedCa, now: number): boolean {
  const notBefore = ca['not-before'] === undefined ? undefined : Date.parse(ca['not-before']);
  const notAfter = ca['not-after'] === undefined ? undefined : Date.parse(ca['not-after']);
  return (
    (notBefore === undefined || now >= notBefore) && (notAfter === undefined || now <= notAfter)
  );
}

/**
 * Builds the Tenant API reply from a management tenant, as Hono's `convertTenant` does:
 * `enabled` and `minimum-message-size` get their defaults, adapter defaults are materialised
 * (adapter members other than `type`, `enabled`, `device-authentication-required` and `ext` are
 * dropped), `alias`, `trust-anchor-group` and `registration-limits` are left out, and trusted CAs
 * lose `not-before`, `not-after`, `cert`, `auto-provision-as-gateway` and
 * `auto-provisioning-device-id-template`.
 *
 * This pure function does not parse certificates: the management service must expand a CA given
 * as `cert` into `subject-dn`, `public-key`, `algorithm` and validity before storing it. CAs that
 * still lack `subject-dn` or `public-key` are left out, since adapters cannot use them.
 *
 * @param tenantId the tenant's ID.
 * @param tenant the stored tenant.
 * @param options.filterAuthorities drop CAs outside their validity period at `options.now`.
 * @param options.now the current time; defaults to the system clock.
 * @returns the TenantObject.
 */
export function toTenantObject(
  tenantId: TenantId,
  tenant: Tenant,
  options: { filterAuthorities?: boolean; now?: Date } = {},
): TenantObject {
  const now = (options.now ?? new Date()).getTime();
  const result: TenantObject = {
    'tenant-id': tenantId,
    enabled: tenant.enabled ?? true,
    'minimum-message-size': tenant['minimum-message-size'] ?? 0,
  };
  if (tenant.adapters !== undefined && tenant.adapters.length > 0) {
    result.adapters = tenant.adapters.map((adapter) => ({
      type: adapter.type,
      enabled: adapter.enabled ?? false,
      'device-authentication-required': adapter['device-authentication-required'] ?? true,
      ...(adapter.ext !== undefined && Object.keys(adapter.ext).length > 0
        ? { ext: adapter.ext }
        : {}),
    }));
  }
  if (tenant.defaults !== undefined && Object.keys(tenant.defaults).length > 0) {
    result.defaults = tenant.defaults;
  }
  if (tenant['resource-limits'] !== undefined)
    result['resource-limits'] = tenant['resource-limits'];
  if (tenant.tracing !== undefined) result.tracing = tenant.tracing;
  if (tenant.ext !== undefined && Object.keys(tenant.ext).length > 0) result.ext = tenant.ext;
  if (tenant['trusted-ca'] !== undefined) {
    result['trusted-ca'] = tenant['trusted-ca']
      .filter((ca) => options.filterAuthorities !== true || isValidAt(ca, now))
      .flatMap((ca): TenantObjectTrustedCa[] => {
        const subjectDn = ca['subject-dn'];
        const publicKey = ca['public-key'];
        if (subjectDn === undefined || publicKey === undefined) return [];
        const exposed = Object.fromEntries(
          Object.entries(ca).filter(([name]) => !INTERNAL_CA_MEMBERS.includes(name)),
        );
        return [
          {
            ...exposed,
            'subject-dn': subjectDn,
            'public-key': publicKey,
            'auto-provisioning-enabled': ca['auto-provisioning-enabled'] ?? false,
          },
        ];
      });
  }
  return result;
}
