import { z } from 'zod';

import { type ConfigOf, defineConfig, envSchemas, envVar } from '@tessera/config';
import { MessagingTypeSchema } from '@tessera/registry-api';

import type { AdapterRuntimeOptions } from './adapter-runtime';

/**
 * What every protocol adapter is configured with: where the registry is, the northbound AMQP
 * broker (Kafka comes from `KAFKA_*`, shared with the other services), and the limits of the
 * downstream pipeline.
 */
export const AdapterConfig = defineConfig('adapter', {
  registryUrl: envVar(
    'REGISTRY_AMQP_URL',
    envSchemas.url(['amqp', 'amqps']).default('amqp://127.0.0.1:5672'),
    'AMQP 1.0 URL of the registry (Tenant, Device Registration and Credentials APIs)',
  ),
  tenantUrl: envVar(
    'TENANT_AMQP_URL',
    envSchemas.url(['amqp', 'amqps']).optional(),
    'AMQP URL of the Tenant API, when the tenant service runs on its own',
  ),
  registrationUrl: envVar(
    'REGISTRATION_AMQP_URL',
    envSchemas.url(['amqp', 'amqps']).optional(),
    'AMQP URL of the Device Registration API, when that service runs on its own',
  ),
  credentialsUrl: envVar(
    'CREDENTIALS_AMQP_URL',
    envSchemas.url(['amqp', 'amqps']).optional(),
    'AMQP URL of the Credentials API, when that service runs on its own',
  ),
  registryUsername: envVar(
    'REGISTRY_AMQP_USERNAME',
    z.string().min(1).optional(),
    'SASL PLAIN user of the registry endpoints',
  ),
  registryPassword: envVar(
    'REGISTRY_AMQP_PASSWORD',
    z.string().optional(),
    'SASL PLAIN password of the registry endpoints',
    { sensitive: true },
  ),
  registryTimeoutMs: envVar(
    'REGISTRY_TIMEOUT_MS',
    envSchemas.positiveInt(2_000),
    'reply timeout of registry requests (ms); a timeout answers the device 503',
  ),
  amqpBrokerUrl: envVar(
    'DOWNSTREAM_AMQP_URL',
    envSchemas.url(['amqp', 'amqps']).optional(),
    'AMQP 1.0 broker for tenants with ext.messaging-type=amqp (amqp://user:password@host:port)',
    { sensitive: true },
  ),
  defaultMessagingType: envVar(
    'DEFAULT_MESSAGING_TYPE',
    MessagingTypeSchema.optional(),
    'messaging type of tenants that name none (default kafka when configured, else amqp)',
  ),
  maxPayloadBytes: envVar(
    'MAX_PAYLOAD_SIZE',
    envSchemas.positiveInt(2_048),
    'largest message payload accepted (bytes; Hono’s default 2048)',
  ),
  verifiedCredentialsTtlSeconds: envVar(
    'VERIFIED_CREDENTIALS_TTL',
    z.coerce.number().int().min(0).max(180).default(60),
    'seconds a verified password is trusted without a new hash check (0 disables; at most 180)',
  ),
  sendTimeoutMs: envVar(
    'DOWNSTREAM_TIMEOUT_MS',
    envSchemas.positiveInt(5_000),
    'how long an acknowledged downstream send may take (ms) before the device gets 503',
  ),
});

export type AdapterConfig = ConfigOf<typeof AdapterConfig>;

function withUser(url: string, config: AdapterConfig): string {
  if (config.registryUsername === undefined) return url;
  const parsed = new URL(url);
  if (parsed.username !== '') return url;
  parsed.username = encodeURIComponent(config.registryUsername);
  parsed.password = encodeURIComponent(config.registryPassword ?? '');
  return parsed.toString();
}

/** The registry URLs of the three APIs, with the configured SASL user where the URL has none. */
export function registryUrls(config: AdapterConfig): {
  tenant: string;
  registration: string;
  credentials: string;
} {
  return {
    tenant: withUser(config.tenantUrl ?? config.registryUrl, config),
    registration: withUser(config.registrationUrl ?? config.registryUrl, config),
    credentials: withUser(config.credentialsUrl ?? config.registryUrl, config),
  };
}

/** The runtime options of an adapter from its config. */
export function adapterRuntimeOptions(
  config: AdapterConfig,
  adapterType: string,
): AdapterRuntimeOptions {
  return {
    adapterType,
    maxPayloadBytes: config.maxPayloadBytes,
    verifiedCredentialsTtlMs: config.verifiedCredentialsTtlSeconds * 1_000,
    registryTimeoutMs: config.registryTimeoutMs,
    sendTimeoutMs: config.sendTimeoutMs,
    defaultMessagingType: config.defaultMessagingType,
  };
}
