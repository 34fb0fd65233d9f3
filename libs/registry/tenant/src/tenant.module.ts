import { Global, Module } from '@nestjs/common';

import { TenantRepository } from '@tessera/persistence';
import { notificationRelayProvider, TenantDirectory } from '@tessera/registry-kit';

import { LocalTenantDirectory } from './local-tenant.directory';
import { TenantAmqpHandler } from './tenant-amqp.handler';
import { TenantManagementController } from './tenant-management.controller';
import { TenantManagementService } from './tenant-management.service';

const TENANT_RELAY = Symbol('tessera.tenant-relay');

/**
 * The tenant service: `/v1/tenants`, Hono's Tenant API on the AMQP endpoint when the app has one, the relay that publishes its outbox, and a
 * {@link TenantDirectory} for other modules of the same process. Needs a `TenantRepository`
 * (`PersistenceModule`) and the notification sender (`MessagingModule`) from the app; management
 * authentication is the app's (`ManagementAuthModule`).
 */
@Global()
@Module({
  controllers: [TenantManagementController],
  providers: [
    TenantManagementService,
    TenantAmqpHandler,
    LocalTenantDirectory,
    { provide: TenantDirectory, useExisting: LocalTenantDirectory },
    notificationRelayProvider(TENANT_RELAY, 'tenant', TenantRepository),
  ],
  exports: [TenantManagementService, TenantDirectory],
})
export class TenantModule {}
