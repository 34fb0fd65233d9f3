import {
  type DynamicModule,
  type FactoryProvider,
  type ModuleMetadata,
  Module,
  type Provider,
} from '@nestjs/common';

import { ProvisioningNotificationClient } from '@tessera/registry-kit';

import { ProvisioningNotificationAmqpHandler } from './provisioning-notification-amqp.handler';
import {
  ProvisioningNotificationService,
  type ProvisioningNotificationOptions,
} from './provisioning-notification.service';

/** DI token of the {@link ProvisioningNotificationOptions}. */
export const PROVISIONING_NOTIFICATION_OPTIONS = Symbol(
  'tessera.provisioning-notification-options',
);

/** Options built from other providers (e.g. the embedded app's tenant directory and senders). */
export interface ProvisioningNotificationAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  readonly inject?: FactoryProvider['inject'];
  readonly useFactory: (
    ...args: never[]
  ) => ProvisioningNotificationOptions | Promise<ProvisioningNotificationOptions>;
}

const PROVIDERS: Provider[] = [
  {
    provide: ProvisioningNotificationService,
    inject: [PROVISIONING_NOTIFICATION_OPTIONS],
    useFactory: (options: ProvisioningNotificationOptions) =>
      new ProvisioningNotificationService(options),
  },
  { provide: ProvisioningNotificationClient, useExisting: ProvisioningNotificationService },
  ProvisioningNotificationAmqpHandler,
];

/**
 * The provisioning-notification service: {@link ProvisioningNotificationService}, exported also
 * under the `ProvisioningNotificationClient` token for in-process callers, and the `deliver` API on
 * the app's AMQP endpoint when the app has one (`AmqpEndpointModule`). Global, so the registry
 * modules of the embedded app can inject the client. The connections (tenant client, senders) are
 * the app's: it starts and stops them.
 */
@Module({})
export class ProvisioningNotificationModule {
  static forRoot(options: ProvisioningNotificationOptions): DynamicModule {
    return {
      module: ProvisioningNotificationModule,
      global: true,
      providers: [{ provide: PROVISIONING_NOTIFICATION_OPTIONS, useValue: options }, ...PROVIDERS],
      exports: [ProvisioningNotificationService, ProvisioningNotificationClient],
    };
  }

  static forRootAsync(options: ProvisioningNotificationAsyncOptions): DynamicModule {
    return {
      module: ProvisioningNotificationModule,
      global: true,
      imports: options.imports ?? [],
      providers: [
        {
          provide: PROVISIONING_NOTIFICATION_OPTIONS,
          inject: options.inject ?? [],
          useFactory: options.useFactory as (
            ...args: unknown[]
          ) => ProvisioningNotificationOptions | Promise<ProvisioningNotificationOptions>,
        },
        ...PROVIDERS,
      ],
      exports: [ProvisioningNotificationService, ProvisioningNotificationClient],
    };
  }
}
