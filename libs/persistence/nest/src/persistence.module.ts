import {
  type DynamicModule,
  Global,
  Inject,
  Module,
  Optional,
  type OnApplicationShutdown,
} from '@nestjs/common';

import { CredentialsRepository, DeviceRepository, TenantRepository } from '@tessera/persistence';
import { HealthRegistry } from '@tessera/service-nest';

import type { PersistenceConfig } from './persistence.config';
import { openStore, type Store } from './store';

/** DI token of the open {@link Store}. */
export const STORE = Symbol('tessera.store');

/**
 * Binds the repository ports to the configured store at start (not at import time) and closes it
 * on shutdown. Services inject the ports (`TenantRepository`, …), never a driver.
 */
@Global()
@Module({})
export class PersistenceModule implements OnApplicationShutdown {
  constructor(
    @Inject(STORE) private readonly store: Store,
    @Optional() health?: HealthRegistry,
  ) {
    health?.register('store', () => store.ping());
  }

  static forRoot(config: PersistenceConfig): DynamicModule {
    return {
      module: PersistenceModule,
      providers: [
        { provide: STORE, useFactory: () => openStore(config) },
        { provide: TenantRepository, useFactory: (s: Store) => s.tenants, inject: [STORE] },
        { provide: DeviceRepository, useFactory: (s: Store) => s.devices, inject: [STORE] },
        {
          provide: CredentialsRepository,
          useFactory: (s: Store) => s.credentials,
          inject: [STORE],
        },
      ],
      exports: [STORE, TenantRepository, DeviceRepository, CredentialsRepository],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}
