import { type DynamicModule, Module } from '@nestjs/common';

import { CredentialsRepository } from '@tessera/persistence';
import { notificationRelayProvider } from '@tessera/registry-kit';

import { CredentialsAmqpHandler } from './credentials-amqp.handler';
import { CredentialsLookupService } from './credentials-lookup.service';
import { CredentialsManagementController } from './credentials-management.controller';
import {
  CredentialsManagementService,
  PASSWORD_POLICY,
  type PasswordPolicy,
} from './credentials-management.service';
import { DeviceDeletionHandler } from './device-deletion.handler';
import { X509AutoProvisioner } from './x509-auto-provisioner';

const CREDENTIALS_RELAY = Symbol('tessera.credentials-relay');

/**
 * The credentials service: `/v1/credentials`, Hono's Credentials API on the AMQP endpoint when the
 * app has one, and the clean-up of deleted devices' credentials.
 * Needs a `CredentialsRepository`, a `TenantDirectory`, a `DeviceDirectory` and the notification
 * sender and receiver from the app.
 */
@Module({})
export class CredentialsModule {
  static forRoot(policy: PasswordPolicy): DynamicModule {
    return {
      module: CredentialsModule,
      controllers: [CredentialsManagementController],
      providers: [
        { provide: PASSWORD_POLICY, useValue: policy },
        CredentialsManagementService,
        CredentialsLookupService,
        X509AutoProvisioner,
        CredentialsAmqpHandler,
        DeviceDeletionHandler,
        notificationRelayProvider(CREDENTIALS_RELAY, 'credentials', CredentialsRepository),
      ],
      exports: [CredentialsManagementService, CredentialsLookupService],
    };
  }
}
