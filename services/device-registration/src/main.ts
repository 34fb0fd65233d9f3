import { bootstrapTelemetry } from '@tessera/telemetry';

const telemetry = bootstrapTelemetry({ serviceName: 'tessera-device-registration' });

import { Module } from '@nestjs/common';

import { loadConfig } from '@tessera/config';
import { DeviceRegistrationModule } from '@tessera/device-registration-service';
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
  ProvisioningNotificationClientConfig,
  ProvisioningNotificationClientModule,
  RegistryAmqpConfig,
  RemoteDirectoriesModule,
  RemoteRegistryConfig,
  resolveManagementAuth,
  resolveRegistryAmqp,
} from '@tessera/registry-kit';
import { HealthModule, HttpServerConfig, runHttpService } from '@tessera/service-nest';

/** The device registration service on its own: `/v1/devices`, asking the tenant service over HTTP. */
@Module({ imports: [HealthModule] })
class DeviceRegistrationApp {}

void runHttpService({
  name: 'tessera device-registration',
  configure: () => {
    const config = loadConfig({
      http: HttpServerConfig,
      persistence: PersistenceConfig,
      kafka: KafkaConfig,
      remote: RemoteRegistryConfig,
      auth: ManagementAuthConfig,
      amqp: RegistryAmqpConfig,
      notifications: ProvisioningNotificationClientConfig,
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
        module: DeviceRegistrationApp,
        imports: [
          PersistenceModule.forRoot(config.persistence),
          ManagementAuthModule.forRoot(auth),
          AmqpEndpointModule.forRoot(amqp),
          MessagingModule.forRoot(config.kafka, { consumerGroup: 'tessera-device-registration' }),
          RemoteDirectoriesModule.forRoot(config.remote, { tenants: true, devices: false }),
          ProvisioningNotificationClientModule.forRoot(config.notifications),
          DeviceRegistrationModule,
        ],
      },
    };
  },
  announce: (app) => [`${String(app.get<AmqpEndpoint>(AMQP_ENDPOINT).url)} (registry AMQP 1.0)`],
  onStop: () => telemetry.shutdown(),
});
