import { Controller, Get, Param, Put, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';

import { expectedVersion, jsonBody, Requires } from '@tessera/registry-kit';

import { CredentialsManagementService } from './credentials-management.service';

/** `/v1/credentials`: the whole credentials set of a device, read and replaced at once. */
@Controller('v1/credentials')
export class CredentialsManagementController {
  constructor(private readonly service: CredentialsManagementService) {}

  @Get(':tenantId/:deviceId')
  @Requires('READ_TARGET_SECURITY_TOKEN')
  async get(
    @Param('tenantId') tenantId: string,
    @Param('deviceId') deviceId: string,
    @Res() res: Response,
  ): Promise<void> {
    const { credentials, version } = await this.service.get(tenantId, deviceId);
    if (version !== undefined) res.setHeader('ETag', version);
    res.status(200).json(credentials);
  }

  @Put(':tenantId/:deviceId')
  @Requires('UPDATE_TARGET')
  async set(
    @Param('tenantId') tenantId: string,
    @Param('deviceId') deviceId: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const version = await this.service.set(
      tenantId,
      deviceId,
      jsonBody(req, { required: true }),
      expectedVersion(req),
    );
    res.setHeader('ETag', version).status(204).end();
  }
}
