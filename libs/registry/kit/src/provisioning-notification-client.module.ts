import {
  type DynamicModule,
  Global,
  Inject,
  Module,
  type OnApplicationShutdown,
  Optional,
} from '@nestjs/common';
import { z } from 'zod';

import { type ConfigOf, defineConfig, envSchemas, envVar } from '@tessera/config';
import type { RequestResponseClient } from '@tessera/messaging';
import { AmqpRequestResponseClient } from '@tessera/messaging-amqp';

import {
  ProvisioningNotificationClient,
  RequestResponseProvisioningNotificationClient,
} from './provisioning-notification.client';

/** Where the device registration service reaches the provisioning-notification service. */
export const ProvisioningNotificationClientConfig = defineConfig(
  'registry.provisioningNotification',
  {
    url: envVar(
      'PROVISIONING_NOTIFICATION_AMQP_URL',
      envSchemas.url(['amqp', 'amqps']).optional(),
      'AMQP 1.0 URL of the provisioning-notification service (without it notifications stay pending)',
    ),
    username: envVar(
      'PROVISIONING_NOTIFICATION_AMQP_USERNAME',
      z.string().min(1).optional(),
      'SASL PLAIN user for it',
    ),
    password: envVar(
      'PROVISIONING_NOTIFICATION_AMQP_PASSWORD',
      z.string().optional(),
      'its password',
      {
        sensitive: true,
      },
    ),
    timeoutMs: envVar(
      'PROVISIONING_NOTIFICATION_TIMEOUT_MS',
      envSchemas.positiveInt(10_000),
      'how long a delivery may take before it is retried later (ms)',
    ),
  },
);

export type ProvisioningNotificationClientConfig = ConfigOf<
  typeof ProvisioningNotificationClientConfig
>;

const TRANSPORT = Symbol('tessera.provisioning-notification-transport');

/**
 * Provides the {@link ProvisioningNotificationClient} of a standalone device registration service:
 * the provisioning-notification service over AMQP 1.0. Without a URL nothing is provided, and
 * auto-provisioned devices keep their notification pending until one is configured.
 */
@Global()
@Module({})
export class ProvisioningNotificationClientModule implements OnApplicationShutdown {
  constructor(@Optional() @Inject(TRANSPORT) private readonly transport?: RequestResponseClient) {}

  static forRoot(config: ProvisioningNotificationClientConfig): DynamicModule {
    if (config.url === undefined) return { module: ProvisioningNotificationClientModule };
    const url = new URL(config.url);
    if (config.username !== undefined && url.username === '') {
      url.username = encodeURIComponent(config.username);
      url.password = encodeURIComponent(config.password ?? '');
    }
    const transport = new AmqpRequestResponseClient({ url: url.toString() }, config.timeoutMs);
    return {
      module: ProvisioningNotificationClientModule,
      providers: [
        { provide: TRANSPORT, useValue: transport },
        {
          provide: ProvisioningNotificationClient,
          useValue: new RequestResponseProvisioningNotificationClient(transport, config.timeoutMs),
        },
      ],
      exports: [ProvisioningNotificationClient],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.transport?.stop();
  }
}
