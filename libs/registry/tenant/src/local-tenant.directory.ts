import { Injectable } from '@nestjs/common';

import { TenantRepository } from '@tessera/persistence';
import { summarizeTenant, TenantDirectory, type TenantSummary } from '@tessera/registry-kit';

/** Answers the device and credentials services' tenant look-ups in-process (embedded mode). */
@Injectable()
export class LocalTenantDirectory extends TenantDirectory {
  constructor(private readonly tenants: TenantRepository) {
    super();
  }

  async get(tenantId: string): Promise<TenantSummary | undefined> {
    const stored = await this.tenants.findById(tenantId);
    return stored === undefined ? undefined : summarizeTenant(stored.document);
  }
}
