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
  endpointsFile: envVar(
    'TESSERA_ENDPOINTS_FILE',
    z.string().default('.tessera/endpoints.json'),
    'where the endpoints actually listened on are written',
  ),
});

export type EmbeddedConfig = ConfigOf<typeof EmbeddedConfig>;
