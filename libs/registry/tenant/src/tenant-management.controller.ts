import { Controller, Delete, Get, HttpCode, Param, Post, Put, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';

import type { SearchTenantsResult, Tenant } from '@tessera/registry-api';
import {
  createdResponse,
  expectedVersion,
  jsonBody,
  locationOf,
  rawQuery,
  setEtag,
} from '@tessera/registry-kit';

import { TenantManagementService } from './tenant-management.service';

const TENANTS = '/v1/tenants';

/** `/v1/tenants`: Hono's tenant management endpoints; the logic lives in the service. */
@Controller(TENANTS)
export class TenantManagementController {
  constructor(private readonly service: TenantManagementService) {}

  @Post()
  @HttpCode(201)
  async createWithGeneratedId(
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<{ id: string }> {
    const created = await this.service.create(undefined, jsonBody(request, { required: false }));
    return createdResponse(response, locationOf(TENANTS, created.id), created);
  }

  @Post(':tenantId')
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
  search(@Req() request: Request): Promise<SearchTenantsResult> {
    return this.service.search(rawQuery(request));
  }

  @Get(':tenantId')
  async read(
    @Param('tenantId') tenantId: string,
    @Res({ passthrough: true }) response: Response,
  ): Promise<Tenant> {
    const { tenant, version } = await this.service.read(tenantId);
    setEtag(response, version);
    return tenant;
  }

  @Put(':tenantId')
  @HttpCode(204)
  async update(
    @Param('tenantId') tenantId: string,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<void> {
    const body = jsonBody(request, { required: true });
    setEtag(response, await this.service.update(tenantId, body, expectedVersion(request)));
  }

  @Delete(':tenantId')
  @HttpCode(204)
  async delete(@Param('tenantId') tenantId: string, @Req() request: Request): Promise<void> {
    await this.service.delete(tenantId, expectedVersion(request));
  }
}
