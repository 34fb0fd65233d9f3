import { bootstrapTelemetry } from '@tessera/telemetry';

const telemetry = bootstrapTelemetry({ serviceName: 'tessera-tenant' });

import { Module } from '@nestjs/common';

import { loadConfig } from '@tessera/config';
import {
  AMQP_ENDPOINT,
  type AmqpEndpoint,
  AmqpEndpointModule,
  KafkaConfig,
  MessagingModule,
} from '@tessera/messaging-nest';
import { PersistenceConfig, PersistenceModule } from '@tessera/persistence-nest';
import {
  ManagementAuthConfig,
  ManagementAuthModule,
  RegistryAmqpConfig,
  resolveManagementAuth,
  resolveRegistryAmqp,
} from '@tessera/registry-kit';
import { HealthModule, HttpServerConfig, runHttpService } from '@tessera/service-nest';
import { TenantModule } from '@tessera/tenant-service';

/** The tenant service on its own: `/v1/tenants` with HTTP Basic authentication. */
@Module({ imports: [HealthModule] })
class TenantApp {}

void runHttpService({
  name: 'tessera tenant',
  configure: () => {
    const config = loadConfig({
      http: HttpServerConfig,
      persistence: PersistenceConfig,
      kafka: KafkaConfig,
      auth: ManagementAuthConfig,
      amqp: RegistryAmqpConfig,
    });
    // Outside the embedded app, MANAGEMENT_AUTH=none is refused: the API is never open by accident.
    const auth = resolveManagementAuth(config.auth, {
      embeddedDevMode: false,
      host: config.http.host,
    });
    // Hono's southbound API of this service on its own AMQP port, for SASL PLAIN users only.
    const amqp = resolveRegistryAmqp(config.amqp, {
      embeddedDevMode: false,
      defaultHost: '0.0.0.0',
    });
    return {
      http: config.http,
      module: {
        module: TenantApp,
        imports: [
          PersistenceModule.forRoot(config.persistence),
          MessagingModule.forRoot(config.kafka, { consumerGroup: 'tessera-tenant' }),
          ManagementAuthModule.forRoot(auth),
          AmqpEndpointModule.forRoot(amqp),
          TenantModule,
        ],
      },
    };
  },
  announce: (app) => [`${String(app.get<AmqpEndpoint>(AMQP_ENDPOINT).url)} (registry AMQP 1.0)`],
  onStop: () => telemetry.shutdown(),
});
