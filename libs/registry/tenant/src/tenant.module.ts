import {
  Global,
  Inject,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';

import type { MessageSender } from '@tessera/messaging';
import { NOTIFICATION_SENDER } from '@tessera/messaging-nest';
import { TenantRepository } from '@tessera/persistence';
import { NotificationRelay, TenantDirectory } from '@tessera/registry-kit';

import { LocalTenantDirectory } from './local-tenant.directory';
import { TenantManagementController } from './tenant-management.controller';
import { TenantManagementService } from './tenant-management.service';

const TENANT_RELAY = Symbol('tessera.tenant-relay');

/**
 * The tenant service: `/v1/tenants`, the relay that publishes its outbox, and a
 * {@link TenantDirectory} for other modules of the same process. Needs a `TenantRepository`
 * (`PersistenceModule`) and the notification sender (`MessagingModule`) from the app; management
 * authentication is the app's (`ManagementAuthModule`).
 */
@Global()
@Module({
  controllers: [TenantManagementController],
  providers: [
    TenantManagementService,
    LocalTenantDirectory,
    { provide: TenantDirectory, useExisting: LocalTenantDirectory },
    {
      provide: TENANT_RELAY,
      useFactory: (repo: TenantRepository, sender: MessageSender) =>
        new NotificationRelay('tenant', repo, sender, { intervalMs: 500, batchSize: 100 }),
      inject: [TenantRepository, NOTIFICATION_SENDER],
    },
  ],
  exports: [TenantManagementService, TenantDirectory],
})
export class TenantModule implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(TENANT_RELAY) private readonly relay: NotificationRelay) {}

  onApplicationBootstrap(): void {
    this.relay.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.relay.stop();
  }
}
