import { bootstrapTelemetry } from '@tessera/telemetry';

const telemetry = bootstrapTelemetry({ serviceName: 'tessera-embedded' });

import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { AdapterConfig, adapterRuntimeOptions } from '@tessera/adapter-base';
import { NotFoundError } from '@tessera/registry-api';
import { TenantManagementService } from '@tessera/tenant-service';
import { ConfigError, loadConfig } from '@tessera/config';
import { CredentialsConfig } from '@tessera/credentials-service';
import { AMQP_ENDPOINT, type AmqpEndpoint, KafkaConfig } from '@tessera/messaging-nest';
import { PersistenceConfig, STORE, type Store } from '@tessera/persistence-nest';
import {
  ManagementAuthConfig,
  ProvisioningNotificationClientConfig,
  RegistryAmqpConfig,
  resolveManagementAuth,
  resolveRegistryAmqp,
} from '@tessera/registry-kit';
import { createHttpApp, LogConfig } from '@tessera/service-nest';

import { EmbeddedConfig, managementListener } from './embedded.config';
import { devCertificate } from './dev-certificate';
import { EmbeddedAdapters } from './embedded-adapters';
import { EmbeddedModule } from './embedded.module';
import { type Endpoints, writeEndpoints } from './endpoints';

async function main(): Promise<void> {
  const config = loadConfig({
    embedded: EmbeddedConfig,
    persistence: PersistenceConfig,
    kafka: KafkaConfig,
    auth: ManagementAuthConfig,
    credentials: CredentialsConfig,
    amqp: RegistryAmqpConfig,
    notifications: ProvisioningNotificationClientConfig,
    adapter: AdapterConfig,
    log: LogConfig,
  });
  // Unauthenticated only on loopback (the default there); anywhere else users or a JWT key are required.
  const auth = resolveManagementAuth(config.auth, {
    embeddedDevMode: true,
    host: config.embedded.host,
  });
  const started = Date.now();
  // Anonymous only on loopback without AMQP_USERS; anywhere else SASL PLAIN users are required.
  const amqp = resolveRegistryAmqp(config.amqp, {
    embeddedDevMode: true,
    defaultHost: config.embedded.host,
  });
  const { adapterType: _adapterType, ...runtime } = adapterRuntimeOptions(
    config.adapter,
    'embedded',
  );
  // The adapters' TLS ports: the configured key, else a self-signed localhost certificate kept in
  // the data directory (made with Node alone, so the first command needs nothing else).
  const tls =
    config.embedded.adapterTlsKey !== undefined && config.embedded.adapterTlsCert !== undefined
      ? {
          key: config.embedded.adapterTlsKey,
          cert: config.embedded.adapterTlsCert,
          certFile: undefined,
        }
      : devCertificate(join(config.persistence.dataDir, 'tls'));
  const adapters = config.embedded.adapters
    ? {
        host: config.embedded.host,
        httpPort: config.embedded.httpAdapterPort,
        mqttPort: config.embedded.mqttAdapterPort,
        tls: {
          ...tls,
          httpPort: config.embedded.httpAdapterTlsPort,
          mqttPort: config.embedded.mqttAdapterTlsPort,
        },
        runtime,
      }
    : undefined;
  // HTTPS with MANAGEMENT_TLS_KEY/_CERT (and client certificates with MANAGEMENT_TLS_CLIENT_CA).
  const management = managementListener(config.embedded);
  const { app, port, scheme } = await createHttpApp(
    EmbeddedModule.forRoot({ ...config, auth, amqp, adapters }),
    { ...management, logLevel: config.log.level },
  );
  const store = app.get<Store>(STORE);
  const demoTenant = await ensureDemoTenant(
    app.get(TenantManagementService),
    config.embedded.demoTenant,
  );
  const amqpPort = app.get<AmqpEndpoint>(AMQP_ENDPOINT).port ?? amqp.port;
  const amqpHost = amqp.host === '0.0.0.0' ? '127.0.0.1' : amqp.host;
  const amqpUrl = `${amqp.tls ? 'amqps' : 'amqp'}://${amqpHost}:${String(amqpPort)}`;
  const shown = config.embedded.host === '0.0.0.0' ? '127.0.0.1' : config.embedded.host;
  const base = `${scheme}://${shown}:${String(port)}`;
  const running = adapters === undefined ? undefined : app.get(EmbeddedAdapters);
  const local = (url: string | undefined): string | undefined =>
    url?.replace('//0.0.0.0:', '//127.0.0.1:');
  const kafkaBrokers = config.kafka.brokers ?? [];
  const messaging: Endpoints['messaging'] =
    kafkaBrokers.length > 0
      ? {
          type: 'kafka',
          brokers: kafkaBrokers,
          telemetry: 'hono.telemetry.<tenant>',
          event: 'hono.event.<tenant>',
        }
      : {
          type: 'amqp',
          url: amqpUrl,
          telemetry: 'telemetry/<tenant>',
          event: 'event/<tenant>',
          note: 'attach an AMQP 1.0 receiver; messages for an address without a consumer are refused (503)',
        };
  const endpoints: Endpoints = {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    management: {
      url: base,
      tenants: `${base}/v1/tenants`,
      devices: `${base}/v1/devices`,
      credentials: `${base}/v1/credentials`,
      auth: auth.mode,
    },
    health: {
      liveness: `${base}/liveness`,
      readiness: `${base}/readiness`,
      metrics: `${base}/metrics`,
    },
    store: { driver: store.driver, location: store.location },
    demoTenant,
    adapters: {
      http: local(running?.http.endpoints.http),
      https: local(running?.http.endpoints.https),
      mqtt: local(running?.mqtt.endpoints.mqtt),
      mqtts: local(running?.mqtt.endpoints.mqtts),
      ...(tls.certFile === undefined ? {} : { tlsCertificate: resolve(tls.certFile) }),
    },
    messaging,
    registry: {
      amqp: amqpUrl,
      auth: amqp.security.allowAnonymous ? 'anonymous' : 'sasl-plain',
      addresses: ['tenant', 'registration/<tenant>', 'credentials/<tenant>'],
    },
  };
  writeEndpoints(config.embedded.endpointsFile, endpoints);
  process.stdout.write(
    [
      `Tessera (embedded) ready in ${String(Date.now() - started)} ms`,
      `  management API   ${endpoints.management.url}  (/v1/tenants, /v1/devices, /v1/credentials)`,
      `  registry AMQP    ${amqpUrl}  (Hono's tenant, registration/<tenant>, credentials/<tenant>; ${amqp.security.allowAnonymous ? 'anonymous, this machine only' : 'SASL PLAIN'})`,
      ...(running === undefined
        ? ['  adapters         off (TESSERA_ADAPTERS=false)']
        : [
            `  HTTP adapter     ${String(endpoints.adapters.http)}  (POST /telemetry, /event)`,
            `  MQTT adapter     ${String(endpoints.adapters.mqtt)}  (topics telemetry, event)`,
            `  TLS adapters     ${String(endpoints.adapters.https)}  ${String(endpoints.adapters.mqtts)}  (client certificates${tls.certFile === undefined ? '' : `; self-signed, trust ${tls.certFile}`})`,
          ]),
      messaging.type === 'kafka'
        ? `  northbound       Kafka ${messaging.brokers.join(',')}  (hono.telemetry.<tenant>, hono.event.<tenant>)`
        : `  northbound       ${amqpUrl}  (receive from telemetry/<tenant>, event/<tenant>)`,
      auth.mode === 'none'
        ? '  management auth  none: open to this machine only (set MANAGEMENT_USERS or MANAGEMENT_JWT_* to require authentication)'
        : `  management auth  ${[
            auth.users.length > 0 ? `HTTP Basic (${String(auth.users.length)} user(s))` : '',
            auth.jwt ? `bearer JWT (issuer ${auth.jwt.issuer})` : '',
          ]
            .filter((m) => m !== '')
            .join(', ')}`,
      `  health           ${endpoints.health.liveness}  ${endpoints.health.readiness}`,
      `  metrics          ${endpoints.health.metrics}`,
      `  store            ${store.driver} (${store.location})`,
      `  endpoints file   ${config.embedded.endpointsFile}`,
      '',
    ].join('\n'),
  );

  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    rmSync(config.embedded.endpointsFile, { force: true });
    await app.close();
    await telemetry.shutdown();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

/**
 * Creates the demo tenant on first start (kept afterwards, like all data in the store), so that a
 * device can be registered right away. @returns its id, or undefined when disabled.
 */
async function ensureDemoTenant(
  tenants: TenantManagementService,
  tenantId: string,
): Promise<string | undefined> {
  if (tenantId === '') return undefined;
  try {
    await tenants.read(tenantId);
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    await tenants.create(tenantId, {});
  }
  return tenantId;
}

main().catch((error: unknown) => {
  process.stderr.write(
    error instanceof ConfigError
      ? `${error.message}\n`
      : `Tessera failed to start: ${String(error)}\n`,
  );
  process.exit(1);
});
