import { Injectable } from '@nestjs/common';

import { TenantRepository } from '@tessera/persistence';
import {
  summarizeTenant,
  TenantDirectory,
  type TenantLookupOptions,
  type TenantSummary,
  TenantSummaryCache,
} from '@tessera/registry-kit';

/** Answers the device and credentials services' tenant look-ups in-process (embedded mode). */
@Injectable()
export class LocalTenantDirectory extends TenantDirectory {
  private readonly cache = new TenantSummaryCache();

  constructor(private readonly tenants: TenantRepository) {
    super();
  }

  get(tenantId: string, options: TenantLookupOptions = {}): Promise<TenantSummary | undefined> {
    if (options.fresh === true) this.cache.forget(tenantId);
    return this.cache.get(tenantId, async () => {
      const stored = await this.tenants.findById(tenantId);
      return stored === undefined ? undefined : summarizeTenant(stored.document, stored.createdAt);
    });
  }

  /** Drops the remembered tenant (the tenant service calls it after each of its writes). */
  forget(tenantId: string): void {
    this.cache.forget(tenantId);
  }
}
