import { z } from 'zod';

import { type ConfigOf, defineConfig, envSchemas, envVar } from '@tessera/config';

/** The MQTT adapter's listeners and per-connection limits (Hono's ports: 1883 plain, 8883 TLS). */
export const MqttAdapterConfig = defineConfig('mqttAdapter', {
  host: envVar('MQTT_ADAPTER_HOST', z.string().default('0.0.0.0'), 'address devices connect to'),
  port: envVar(
    'MQTT_ADAPTER_PORT',
    envSchemas.port(1883),
    'plain MQTT port for devices (0 picks a free one)',
  ),
  insecureEnabled: envVar(
    'MQTT_ADAPTER_INSECURE_ENABLED',
    envSchemas.boolean(true),
    'serve plain MQTT as well (set false to allow TLS only)',
  ),
  tlsPort: envVar('MQTT_ADAPTER_TLS_PORT', envSchemas.port(8883), 'MQTT over TLS port for devices'),
  tlsKey: envVar(
    'MQTT_ADAPTER_TLS_KEY',
    z.string().optional(),
    'PEM private key; with the certificate, MQTT over TLS with client-certificate authentication is served',
    { sensitive: true },
  ),
  tlsCert: envVar(
    'MQTT_ADAPTER_TLS_CERT',
    z.string().optional(),
    'PEM certificate (chain) of the TLS listener',
    { sensitive: true },
  ),
  authenticationRequired: envVar(
    'MQTT_ADAPTER_AUTHENTICATION_REQUIRED',
    envSchemas.boolean(true),
    'refuse CONNECTs without credentials (false: accept them; each tenant then decides per publish)',
  ),
  maxInFlight: envVar(
    'MQTT_MAX_IN_FLIGHT',
    envSchemas.positiveInt(100),
    'uploads in flight per connection before the adapter stops reading from it',
  ),
  connectTimeoutMs: envVar(
    'MQTT_CONNECT_TIMEOUT_MS',
    envSchemas.positiveInt(10_000),
    'how long a new connection (TLS handshake included) may take to send CONNECT (ms)',
  ),
  maxConnections: envVar(
    'MQTT_ADAPTER_MAX_CONNECTIONS',
    envSchemas.positiveInt(50_000),
    'connections this instance holds at most; a CONNECT beyond is refused (0x03, MQTT 5 0x9C)',
  ),
  tenantConnectRate: envVar(
    'MQTT_ADAPTER_TENANT_CONNECT_RATE',
    z.coerce.number().min(0).default(200),
    'CONNECT attempts per second per tenant (claimed, checked before the password); beyond the burst they are refused (0x03, MQTT 5 0x9F); 0 turns the limit off',
  ),
  tenantConnectBurst: envVar(
    'MQTT_ADAPTER_TENANT_CONNECT_BURST',
    envSchemas.positiveInt(400),
    'CONNECT attempts a tenant may make at once before its rate applies',
  ),
  drainTimeoutMs: envVar(
    'MQTT_DRAIN_TIMEOUT_MS',
    envSchemas.positiveInt(10_000),
    'on shutdown, how long publishes in flight may take to be acknowledged (ms)',
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

export type MqttAdapterConfig = ConfigOf<typeof MqttAdapterConfig>;
