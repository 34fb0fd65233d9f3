import { Controller, Delete, Get, HttpCode, Param, Post, Put, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';

import {
  DEVICE_CREATED_HEADER,
  expectedVersion,
  jsonBody,
  rawQuery,
  Requires,
} from '@tessera/registry-kit';

import { DeviceManagementService } from './device-management.service';

/** `/v1/devices`: Hono's device management endpoints; logic lives in the service. */
@Controller('v1/devices')
export class DeviceManagementController {
  constructor(private readonly service: DeviceManagementService) {}

  @Post(':tenantId')
  @Requires('CREATE_TARGET')
  async createWithGeneratedId(
    @Param('tenantId') tenantId: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    await this.create(tenantId, undefined, req, res);
  }

  @Post(':tenantId/:deviceId')
  @Requires('CREATE_TARGET')
  async createWithId(
    @Param('tenantId') tenantId: string,
    @Param('deviceId') deviceId: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    await this.create(tenantId, deviceId, req, res);
  }

  @Get(':tenantId')
  @Requires('READ_TARGET')
  async search(@Param('tenantId') tenantId: string, @Req() req: Request): Promise<unknown> {
    return this.service.search(tenantId, rawQuery(req));
  }

  @Delete(':tenantId')
  @Requires('DELETE_TARGET')
  @HttpCode(204)
  async deleteAll(@Param('tenantId') tenantId: string): Promise<void> {
    await this.service.deleteAll(tenantId);
  }

  @Get(':tenantId/:deviceId')
  @Requires('READ_TARGET')
  async read(
    @Param('tenantId') tenantId: string,
    @Param('deviceId') deviceId: string,
    @Res() res: Response,
  ): Promise<void> {
    const { device, version, created } = await this.service.read(tenantId, deviceId);
    // For the credentials service, to tell this device from an earlier one with its id.
    res.setHeader(DEVICE_CREATED_HEADER, created.toISOString());
    res.setHeader('ETag', version).status(200).json(device);
  }

  @Put(':tenantId/:deviceId')
  @Requires('UPDATE_TARGET')
  async update(
    @Param('tenantId') tenantId: string,
    @Param('deviceId') deviceId: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const version = await this.service.update(
      tenantId,
      deviceId,
      jsonBody(req, { required: true }),
      expectedVersion(req),
    );
    res.setHeader('ETag', version).status(204).end();
  }

  @Delete(':tenantId/:deviceId')
  @Requires('DELETE_TARGET')
  @HttpCode(204)
  async delete(
    @Param('tenantId') tenantId: string,
    @Param('deviceId') deviceId: string,
    @Req() req: Request,
  ): Promise<void> {
    await this.service.delete(tenantId, deviceId, expectedVersion(req));
  }

  private async create(
    tenantId: string,
    deviceId: string | undefined,
    req: Request,
    res: Response,
  ): Promise<void> {
    const { id, version } = await this.service.create(
      tenantId,
      deviceId,
      jsonBody(req, { required: false }),
    );
    res
      .setHeader(
        'Location',
        `/v1/devices/${encodeURIComponent(tenantId)}/${encodeURIComponent(id)}`,
      )
      .setHeader('ETag', version)
      .status(201)
      .json({ id });
  }
}
