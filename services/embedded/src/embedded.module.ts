import { type DynamicModule, Module } from '@nestjs/common';

import { type CredentialsConfig, CredentialsModule } from '@tessera/credentials-service';
import { DeviceRegistrationModule } from '@tessera/device-registration-service';
import type { MessageSender } from '@tessera/messaging';
import {
  AMQP_ENDPOINT,
  type AmqpEndpoint,
  AmqpEndpointModule,
  type AmqpServerOptions,
  type KafkaConfig,
  kafkaOptions,
  MessagingModule,
  NOTIFICATION_SENDER,
} from '@tessera/messaging-nest';
import { ProvisioningNotificationModule } from '@tessera/provisioning-notification';
import { PersistenceModule, type PersistenceConfig } from '@tessera/persistence-nest';
import {
  type ManagementAuth,
  ManagementAuthModule,
  type ProvisioningNotificationClientConfig,
  ProvisioningNotificationClientModule,
} from '@tessera/registry-kit';
import { createRegistryClients } from '@tessera/registry-client';
import { HealthModule } from '@tessera/service-nest';
import { TenantModule } from '@tessera/tenant-service';

import {
  EMBEDDED_ADAPTERS_OPTIONS,
  EmbeddedAdapters,
  type EmbeddedAdaptersOptions,
} from './embedded-adapters';

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
    /** The protocol adapters, or undefined to run without them. */
    adapters: EmbeddedAdaptersOptions | undefined;
  }): DynamicModule {
    const kafka = kafkaOptions(config.kafka) !== undefined;
    return {
      module: EmbeddedModule,
      providers:
        config.adapters === undefined
          ? []
          : [{ provide: EMBEDDED_ADAPTERS_OPTIONS, useValue: config.adapters }, EmbeddedAdapters],
      exports: config.adapters === undefined ? [] : [EmbeddedAdapters],
      imports: [
        HealthModule,
        PersistenceModule.forRoot(config.persistence),
        // Without KAFKA_BROKERS, notifications go through an in-process broker.
        MessagingModule.forRoot(config.kafka, { consumerGroup: 'tessera-embedded' }),
        ManagementAuthModule.forRoot(config.auth),
        // Without Kafka, the AMQP port also serves Hono's northbound telemetry/<tenant> and
        // event/<tenant> to business applications (as Hono's AMQP messaging network).
        AmqpEndpointModule.forRoot(config.amqp, { northbound: !kafka }),
        // In one process the services ask each other directly, still only through their APIs.
        TenantModule,
        DeviceRegistrationModule,
        CredentialsModule.forRoot(config.credentials),
        ...EmbeddedModule.notifications(config),
      ],
    };
  }

  /**
   * Where provisioning notifications go: an external provisioning-notification service when one is
   * configured (PROVISIONING_NOTIFICATION_AMQP_URL); otherwise the service runs in this process,
   * reading tenants through the registry's own handlers and sending with the app's Kafka producer,
   * or, without Kafka, to consumers of the AMQP port's northbound `event/<tenant>` (a notification
   * stays pending, and is retried, until a consumer accepted it).
   */
  private static notifications(config: {
    kafka: KafkaConfig;
    notifications: ProvisioningNotificationClientConfig;
  }): DynamicModule[] {
    if (config.notifications.url !== undefined) {
      return [ProvisioningNotificationClientModule.forRoot(config.notifications)];
    }
    const kafka = kafkaOptions(config.kafka) !== undefined;
    return [
      ProvisioningNotificationModule.forRootAsync({
        inject: [AMQP_ENDPOINT, NOTIFICATION_SENDER],
        useFactory: (endpoint: AmqpEndpoint, sender: MessageSender) => ({
          tenants: createRegistryClients(endpoint.localClient(), { cache: false }).tenant,
          senders:
            kafka || endpoint.northbound === undefined
              ? { kafka: sender }
              : { amqp: endpoint.northbound },
        }),
      }),
    ];
  }
}
