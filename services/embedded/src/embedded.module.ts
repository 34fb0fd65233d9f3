import { type DynamicModule, Module } from '@nestjs/common';

import { type CredentialsConfig, CredentialsModule } from '@tessera/credentials-service';
import { DeviceRegistrationModule } from '@tessera/device-registration-service';
import {
  AmqpEndpointModule,
  type AmqpServerOptions,
  type KafkaConfig,
  MessagingModule,
} from '@tessera/messaging-nest';
import { PersistenceModule, type PersistenceConfig } from '@tessera/persistence-nest';
import {
  type ManagementAuth,
  ManagementAuthModule,
  type ProvisioningNotificationClientConfig,
  ProvisioningNotificationClientModule,
} from '@tessera/registry-kit';
import { HealthModule } from '@tessera/service-nest';
import { TenantModule } from '@tessera/tenant-service';

/** Every Tessera service in one process, for trying it on a laptop. */
@Module({})
export class EmbeddedModule {
  static forRoot(config: {
    persistence: PersistenceConfig;
    kafka: KafkaConfig;
    auth: ManagementAuth;
    credentials: CredentialsConfig;
    /** The registry AMQP endpoint (Hono's Tenant, Device Registration and Credentials APIs). */
    amqp: AmqpServerOptions;
    /** An external provisioning-notification service, if configured. */
    notifications: ProvisioningNotificationClientConfig;
  }): DynamicModule {
    return {
      module: EmbeddedModule,
      imports: [
        HealthModule,
        PersistenceModule.forRoot(config.persistence),
        // Without KAFKA_BROKERS, notifications go through an in-process broker.
        MessagingModule.forRoot(config.kafka, { consumerGroup: 'tessera-embedded' }),
        ManagementAuthModule.forRoot(config.auth),
        AmqpEndpointModule.forRoot(config.amqp),
        // In one process the services ask each other directly, still only through their APIs.
        TenantModule,
        DeviceRegistrationModule,
        CredentialsModule.forRoot(config.credentials),
        // Provisioning notifications go to the provisioning-notification service where one is
        // configured (PROVISIONING_NOTIFICATION_AMQP_URL).
        ProvisioningNotificationClientModule.forRoot(config.notifications),
      ],
    };
  }
}
