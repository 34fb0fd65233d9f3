import { z } from 'zod';

import { type ConfigOf, defineConfig, envSchemas, envVar } from '@tessera/config';

/** Where the embedded suite listens. Every port is Hono's default and overridable. */
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
  amqpPort: envVar(
    'AMQP_PORT',
    envSchemas.port(5672),
    'registry AMQP 1.0 endpoint (Hono’s southbound APIs; the Tenant API so far)',
  ),
  endpointsFile: envVar(
    'TESSERA_ENDPOINTS_FILE',
    z.string().default('.tessera/endpoints.json'),
    'where the endpoints actually listened on are written',
  ),
});

export type EmbeddedConfig = ConfigOf<typeof EmbeddedConfig>;
