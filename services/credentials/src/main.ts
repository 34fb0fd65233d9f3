import { bootstrapTelemetry } from '@tessera/telemetry';

const telemetry = bootstrapTelemetry({ serviceName: 'tessera-credentials' });

import { Module } from '@nestjs/common';

import { loadConfig } from '@tessera/config';
import { CredentialsConfig, CredentialsModule } from '@tessera/credentials-service';
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
  RemoteDirectoriesModule,
  RemoteRegistryConfig,
  resolveManagementAuth,
  resolveRegistryAmqp,
} from '@tessera/registry-kit';
import { HealthModule, HttpServerConfig, runHttpService } from '@tessera/service-nest';

/** The credentials service on its own: `/v1/credentials`, asking the tenant and device services. */
@Module({ imports: [HealthModule] })
class CredentialsApp {}

void runHttpService({
  name: 'tessera credentials',
  configure: () => {
    const config = loadConfig({
      http: HttpServerConfig,
      persistence: PersistenceConfig,
      kafka: KafkaConfig,
      remote: RemoteRegistryConfig,
      auth: ManagementAuthConfig,
      amqp: RegistryAmqpConfig,
      credentials: CredentialsConfig,
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
        module: CredentialsApp,
        imports: [
          PersistenceModule.forRoot(config.persistence),
          ManagementAuthModule.forRoot(auth),
          AmqpEndpointModule.forRoot(amqp),
          MessagingModule.forRoot(config.kafka, { consumerGroup: 'tessera-credentials' }),
          RemoteDirectoriesModule.forRoot(config.remote, { tenants: true, devices: true }),
          CredentialsModule.forRoot(config.credentials),
        ],
      },
    };
  },
  announce: (app) => [`${String(app.get<AmqpEndpoint>(AMQP_ENDPOINT).url)} (registry AMQP 1.0)`],
  onStop: () => telemetry.shutdown(),
});
