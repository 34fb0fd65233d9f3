import { z } from 'zod';

import { type ConfigOf, defineConfig, envSchemas, envVar } from '@tessera/config';
import { MessagingTypeSchema } from '@tessera/registry-api';

/**
 * The provisioning-notification service's own settings: where it reads tenants, the AMQP broker
 * for `ext.messaging-type: amqp` tenants (Kafka comes from `KAFKA_*`), and its health port. Its
 * `deliver` endpoint is configured by the registry's `AMQP_*` variables (RegistryAmqpConfig).
 */
export const ProvisioningNotificationConfig = defineConfig('provisioning-notification', {
  tenantUrl: envVar(
    'TENANT_AMQP_URL',
    envSchemas.url(['amqp', 'amqps']),
    'AMQP 1.0 URL of the Tenant API (the tenant service, or the registry)',
  ),
  registryUsername: envVar(
    'REGISTRY_AMQP_USERNAME',
    z.string().min(1).optional(),
    'SASL PLAIN user of the Tenant API (when the URL carries none)',
  ),
  registryPassword: envVar(
    'REGISTRY_AMQP_PASSWORD',
    z.string().optional(),
    'SASL PLAIN password of the Tenant API',
    { sensitive: true },
  ),
  registryTimeoutMs: envVar(
    'REGISTRY_TIMEOUT_MS',
    envSchemas.positiveInt(2_000),
    'reply timeout of Tenant API requests (ms); a timeout answers 503',
  ),
  tenantCacheMaxAgeSeconds: envVar(
    'TENANT_CACHE_MAX_AGE',
    z.coerce.number().int().min(0).max(600).default(60),
    'longest time (s) a tenant is cached whatever its cache_control says (0: no cache); tenant change notifications on Kafka invalidate it earlier',
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
  sendTimeoutMs: envVar(
    'DOWNSTREAM_TIMEOUT_MS',
    envSchemas.positiveInt(5_000),
    'how long the broker may take to acknowledge a notification (ms) before the caller gets 503',
  ),
  healthHost: envVar(
    'HEALTH_HOST',
    z.string().default('0.0.0.0'),
    'address of /liveness, /readiness, /metrics',
  ),
  healthPort: envVar(
    'HEALTH_PORT',
    envSchemas.port(8088),
    'port of /liveness, /readiness, /metrics',
  ),
});

export type ProvisioningNotificationConfig = ConfigOf<typeof ProvisioningNotificationConfig>;

/** The Tenant API URL with the configured SASL user where the URL has none. */
export function tenantApiUrl(config: ProvisioningNotificationConfig): string {
  if (config.registryUsername === undefined) return config.tenantUrl;
  const url = new URL(config.tenantUrl);
  if (url.username !== '') return config.tenantUrl;
  url.username = encodeURIComponent(config.registryUsername);
  url.password = encodeURIComponent(config.registryPassword ?? '');
  return url.toString();
}
