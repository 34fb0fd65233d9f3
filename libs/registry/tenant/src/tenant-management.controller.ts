import { Controller, Delete, Get, HttpCode, Param, Post, Put, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';

import type { SearchTenantsResult, Tenant } from '@tessera/registry-api';
import {
  createdResponse,
  expectedVersion,
  jsonBody,
  authorize,
  locationOf,
  principalOf,
  rawQuery,
  Requires,
  setEtag,
  TENANT_CREATED_HEADER,
  tenantsWith,
} from '@tessera/registry-kit';

import { TenantManagementService } from './tenant-management.service';

const TENANTS = '/v1/tenants';

/** `/v1/tenants`: Hono's tenant management endpoints; the logic lives in the service. */
@Controller(TENANTS)
export class TenantManagementController {
  constructor(private readonly service: TenantManagementService) {}

  @Post()
  @Requires('CREATE_TENANT', 'platform')
  @HttpCode(201)
  async createWithGeneratedId(
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<{ id: string }> {
    const created = await this.service.create(undefined, jsonBody(request, { required: false }));
    return createdResponse(response, locationOf(TENANTS, created.id), created);
  }

  @Post(':tenantId')
  @Requires('CREATE_TENANT', 'platform')
  @HttpCode(201)
  async createWithId(
    @Param('tenantId') tenantId: string,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<{ id: string }> {
    const created = await this.service.create(tenantId, jsonBody(request, { required: false }));
    return createdResponse(response, locationOf(TENANTS, created.id), created);
  }

  @Get()
  @Requires('READ_TENANT', 'visible')
  search(@Req() request: Request): Promise<SearchTenantsResult> {
    // Only the tenants the caller may read are found.
    const visible = tenantsWith(principalOf(request), 'READ_TENANT');
    return this.service.search(rawQuery(request), visible === 'all' ? undefined : visible);
  }

  @Get(':tenantId')
  @Requires('READ_TENANT')
  async read(
    @Param('tenantId') tenantId: string,
    @Res({ passthrough: true }) response: Response,
  ): Promise<Tenant> {
    const { tenant, version, created } = await this.service.read(tenantId);
    setEtag(response, version);
    // For the device service's clean-up after a tenant was deleted (and maybe created again).
    response.setHeader(TENANT_CREATED_HEADER, created.toISOString());
    return tenant;
  }

  @Put(':tenantId')
  @Requires('UPDATE_TENANT')
  @HttpCode(204)
  async update(
    @Param('tenantId') tenantId: string,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<void> {
    const body = jsonBody(request, { required: true });
    // Quotas and trust anchor groups are the operator's: a tenant admin may change the rest.
    const keepPlatformFields =
      authorize(principalOf(request), 'UPDATE_TENANT_PLATFORM_FIELDS', tenantId) !== 'allow';
    setEtag(
      response,
      await this.service.update(tenantId, body, expectedVersion(request), { keepPlatformFields }),
    );
  }

  @Delete(':tenantId')
  @Requires('DELETE_TENANT')
  @HttpCode(204)
  async delete(@Param('tenantId') tenantId: string, @Req() request: Request): Promise<void> {
    await this.service.delete(tenantId, expectedVersion(request));
  }
}
