import {
  type DynamicModule,
  Inject,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';

import type { MessageSender } from '@tessera/messaging';
import { NOTIFICATION_SENDER } from '@tessera/messaging-nest';
import { CredentialsRepository } from '@tessera/persistence';
import { NotificationRelay } from '@tessera/registry-kit';

import { CredentialsManagementController } from './credentials-management.controller';
import {
  CredentialsManagementService,
  PASSWORD_POLICY,
  type PasswordPolicy,
} from './credentials-management.service';
import { DeviceDeletionHandler } from './device-deletion.handler';

const CREDENTIALS_RELAY = Symbol('tessera.credentials-relay');

/**
 * The credentials service: `/v1/credentials`, and the clean-up of deleted devices' credentials.
 * Needs a `CredentialsRepository`, a `TenantDirectory`, a `DeviceDirectory` and the notification
 * sender and receiver from the app.
 */
@Module({})
export class CredentialsModule implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(CREDENTIALS_RELAY) private readonly relay: NotificationRelay) {}

  static forRoot(policy: PasswordPolicy): DynamicModule {
    return {
      module: CredentialsModule,
      controllers: [CredentialsManagementController],
      providers: [
        { provide: PASSWORD_POLICY, useValue: policy },
        CredentialsManagementService,
        DeviceDeletionHandler,
        {
          provide: CREDENTIALS_RELAY,
          useFactory: (repo: CredentialsRepository, sender: MessageSender) =>
            new NotificationRelay('credentials', repo, sender, { intervalMs: 500, batchSize: 100 }),
          inject: [CredentialsRepository, NOTIFICATION_SENDER],
        },
      ],
      exports: [CredentialsManagementService],
    };
  }

  onApplicationBootstrap(): void {
    this.relay.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.relay.stop();
  }
}
