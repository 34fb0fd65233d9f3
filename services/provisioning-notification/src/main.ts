import { bootstrapTelemetry } from '@tessera/telemetry';

const telemetry = bootstrapTelemetry({ serviceName: 'tessera-provisioning-notification' });

import { randomUUID } from 'node:crypto';

import {
  Inject,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';

import { ConfigError, loadConfig } from '@tessera/config';
import type { Subscription } from '@tessera/messaging';
import {
  AMQP_ENDPOINT,
  type AmqpEndpoint,
  AmqpEndpointModule,
  createProvisioningNotificationConnections,
  KafkaConfig,
  kafkaOptions,
  type ProvisioningNotificationConnections,
} from '@tessera/messaging-nest';
import { ProvisioningNotificationModule } from '@tessera/provisioning-notification';
import { NotificationTopic } from '@tessera/registry-api';
import { createRegistryClients, type RegistryClients } from '@tessera/registry-client';
import {
  PROVISIONING_NOTIFICATION_GRANTS,
  RegistryAmqpConfig,
  resolveRegistryAmqp,
} from '@tessera/registry-kit';
import { HealthModule, HealthRegistry, runHttpService } from '@tessera/service-nest';

import { ProvisioningNotificationConfig, tenantApiUrl } from './provisioning-notification.config';

const NAME = 'tessera-provisioning-notification';
const CONNECTIONS = Symbol('connections');
const CLIENTS = Symbol('registry-clients');

/**
 * Opens the Tenant API and broker connections (a connection that cannot be opened yet does not
 * fail the start: the clients reconnect, readiness reports it), keeps the tenant cache fresh from
 * the registry's tenant change notifications, and closes everything on shutdown.
 */
class ConnectionsLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private subscription: Subscription | undefined;

  constructor(
    @Inject(CONNECTIONS) private readonly connections: ProvisioningNotificationConnections,
    @Inject(CLIENTS) private readonly clients: RegistryClients,
    @Inject(HealthRegistry) health: HealthRegistry,
  ) {
    for (const [name, check] of Object.entries(connections.checks)) health.register(name, check);
  }

  async onApplicationBootstrap(): Promise<void> {
    await Promise.all(this.connections.lifecycle.map((c) => c.start().catch(() => undefined)));
    const receiver = this.connections.notifications;
    if (receiver === undefined) return;
    const topic = NotificationTopic.REGISTRY_TENANT;
    this.subscription = await receiver
      .subscribe(
        topic.toString(),
        (message) => {
          this.clients.handleNotificationMessage(message);
          return Promise.resolve();
        },
        { groupId: `${NAME}-${topic.address}-${randomUUID()}` },
      )
      .catch(() => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscription?.close().catch(() => undefined);
    await Promise.allSettled([...this.connections.lifecycle].reverse().map((c) => c.stop()));
  }
}

void runHttpService({
  name: 'tessera provisioning-notification',
  configure: () => {
    const config = loadConfig({
      service: ProvisioningNotificationConfig,
      kafka: KafkaConfig,
      amqp: RegistryAmqpConfig,
    });
    const kafka = kafkaOptions(config.kafka);
    const amqpBroker =
      config.service.amqpBrokerUrl === undefined
        ? undefined
        : { url: config.service.amqpBrokerUrl };
    if (kafka === undefined && amqpBroker === undefined)
      throw new ConfigError([
        'KAFKA_BROKERS or DOWNSTREAM_AMQP_URL is required: notifications need a broker',
      ]);
    // The `deliver` API on this service's own AMQP port, for SASL PLAIN users only; users that
    // AMQP_PERMISSIONS does not name may deliver for every tenant.
    const endpoint = resolveRegistryAmqp(config.amqp, {
      embeddedDevMode: false,
      defaultHost: '0.0.0.0',
      defaultGrants: PROVISIONING_NOTIFICATION_GRANTS,
    });
    const connections = createProvisioningNotificationConnections({
      name: NAME,
      tenantUrl: tenantApiUrl(config.service),
      kafka,
      amqpBroker,
      sendTimeoutMs: config.service.sendTimeoutMs,
    });
    const cacheCap = config.service.tenantCacheMaxAgeSeconds;
    const clients = createRegistryClients(connections.tenant, {
      timeoutMs: config.service.registryTimeoutMs,
      cache: cacheCap === 0 ? false : { maxAgeCapSeconds: cacheCap },
    });

    @Module({
      imports: [HealthModule],
      providers: [
        { provide: CONNECTIONS, useValue: connections },
        { provide: CLIENTS, useValue: clients },
        ConnectionsLifecycle,
      ],
    })
    class ProvisioningNotificationApp {}

    return {
      module: {
        module: ProvisioningNotificationApp,
        imports: [
          AmqpEndpointModule.forRoot(endpoint),
          ProvisioningNotificationModule.forRoot({
            tenants: clients.tenant,
            senders: connections.downstream,
            defaultMessagingType: config.service.defaultMessagingType,
            sendTimeoutMs: config.service.sendTimeoutMs,
          }),
        ],
      },
      http: { host: config.service.healthHost, port: config.service.healthPort, bodyLimit: '1kb' },
    };
  },
  announce: (app) => [
    `${String(app.get<AmqpEndpoint>(AMQP_ENDPOINT).url)} (provisioning-notification AMQP 1.0)`,
  ],
  onStop: () => telemetry.shutdown(),
});
