import { z } from 'zod';

import { type ConfigOf, defineConfig, envSchemas, envVar } from '@tessera/config';

/**
 * Where the embedded suite listens. Every port is Hono's default and overridable (the registry AMQP
 * endpoint's AMQP_HOST/AMQP_PORT/AMQP_USERS are RegistryAmqpConfig's).
 */
export const EmbeddedConfig = defineConfig('embedded', {
  host: envVar(
    'TESSERA_HOST',
    z.string().default('127.0.0.1'),
    'address to listen on; loopback by default, 0.0.0.0 to serve the network',
  ),
  managementPort: envVar(
    'MANAGEMENT_PORT',
    envSchemas.port(28080),
    'device registry management API (HTTP)',
  ),
  adapters: envVar(
    'TESSERA_ADAPTERS',
    envSchemas.boolean(true),
    'run the HTTP and MQTT protocol adapters in the embedded app',
  ),
  httpAdapterPort: envVar('HTTP_ADAPTER_PORT', envSchemas.port(8080), 'HTTP adapter (devices)'),
  mqttAdapterPort: envVar('MQTT_ADAPTER_PORT', envSchemas.port(1883), 'MQTT adapter (devices)'),
  httpAdapterTlsPort: envVar(
    'HTTP_ADAPTER_TLS_PORT',
    envSchemas.port(8443),
    'HTTPS adapter (with a key)',
  ),
  mqttAdapterTlsPort: envVar(
    'MQTT_ADAPTER_TLS_PORT',
    envSchemas.port(8883),
    'MQTT over TLS adapter (with a key)',
  ),
  adapterTlsKey: envVar(
    'ADAPTER_TLS_KEY',
    z.string().optional(),
    'PEM key of the adapters’ TLS ports; with the certificate, HTTPS and MQTTS take client certificates',
    { sensitive: true },
  ),
  adapterTlsCert: envVar(
    'ADAPTER_TLS_CERT',
    z.string().optional(),
    'PEM certificate (chain) of the adapters’ TLS ports',
    {
      sensitive: true,
    },
  ),
  demoTenant: envVar(
    'TESSERA_DEMO_TENANT',
    z.string().default('DEFAULT_TENANT'),
    'a tenant created on first start, ready for devices (Hono’s default tenant name; empty: none)',
  ),
  endpointsFile: envVar(
    'TESSERA_ENDPOINTS_FILE',
    z.string().default('.tessera/endpoints.json'),
    'where the endpoints actually listened on are written',
  ),
});

export type EmbeddedConfig = ConfigOf<typeof EmbeddedConfig>;
