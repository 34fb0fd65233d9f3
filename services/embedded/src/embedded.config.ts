import { z } from 'zod';

import { type ConfigOf, defineConfig, envSchemas, envVar } from '@tessera/config';
import {
  httpTls,
  type HttpTlsOptions,
  MANAGEMENT_HTTP_PORT,
  MANAGEMENT_HTTPS_PORT,
  tlsProblems,
} from '@tessera/service-nest';

/**
 * Where the embedded suite listens. Every port is Hono's default and overridable (the registry AMQP
 * endpoint's AMQP_HOST/AMQP_PORT/AMQP_USERS are RegistryAmqpConfig's).
 */
export const EmbeddedConfig = defineConfig(
  'embedded',
  {
    host: envVar(
      'TESSERA_HOST',
      z.string().default('127.0.0.1'),
      'address to listen on; loopback by default, 0.0.0.0 to serve the network',
    ),
    managementPort: envVar(
      'MANAGEMENT_PORT',
      z.coerce.number().int().min(0).max(65535).optional(),
      'device registry management API (default 28080, or 28443 with MANAGEMENT_TLS_KEY/_CERT)',
    ),
    managementTlsKey: envVar(
      'MANAGEMENT_TLS_KEY',
      z.string().optional(),
      'PEM key of the management API; with the certificate it is served over HTTPS only',
      { sensitive: true },
    ),
    managementTlsCert: envVar(
      'MANAGEMENT_TLS_CERT',
      z.string().optional(),
      'PEM certificate (chain) of the HTTPS management API',
      { sensitive: true },
    ),
    managementTlsClientCa: envVar(
      'MANAGEMENT_TLS_CLIENT_CA',
      z.string().optional(),
      'PEM CA certificate(s): management API clients must also present a certificate one of them issued',
      { sensitive: true },
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
  },
  (v) => [
    ...tlsProblems('MANAGEMENT_TLS', {
      key: v.managementTlsKey,
      cert: v.managementTlsCert,
      clientCa: v.managementTlsClientCa,
    }),
    ...((v.adapterTlsKey === undefined) !== (v.adapterTlsCert === undefined)
      ? ['ADAPTER_TLS_KEY and ADAPTER_TLS_CERT go together (or their *_FILE variants)']
      : []),
  ],
);

/** The management API's listener: HTTPS with MANAGEMENT_TLS_KEY/_CERT (port 28443), else HTTP. */
export function managementListener(config: EmbeddedConfig): {
  host: string;
  port: number;
  tls: HttpTlsOptions | undefined;
} {
  const tls = httpTls({
    key: config.managementTlsKey,
    cert: config.managementTlsCert,
    clientCa: config.managementTlsClientCa,
  });
  return {
    host: config.host,
    port: config.managementPort ?? (tls ? MANAGEMENT_HTTPS_PORT : MANAGEMENT_HTTP_PORT),
    tls,
  };
}

export type EmbeddedConfig = ConfigOf<typeof EmbeddedConfig>;
