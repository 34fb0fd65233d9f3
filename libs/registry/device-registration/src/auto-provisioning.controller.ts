import { Controller, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { z } from 'zod';

import { ClientError } from '@tessera/registry-api';
import { AUTO_PROVISIONING_PATH, jsonBody, Requires } from '@tessera/registry-kit';

import { DeviceAutoProvisioner } from './device-auto-provisioner';
import { ProvisioningNotifier } from './provisioning-notifier';

const RequestSchema = z.object({
  authorities: z.array(z.string().min(1)).optional(),
  comment: z.string().optional(),
});

/**
 * The credentials service's way to create an auto-provisioned device (service-to-service, behind
 * the management API's authentication, for platform-wide `PROVISION_TARGET` holders such as the
 * `registry-service` role; not part of Hono's API): 201 when created, 200 when the
 * device exists already, with `{"auto-provisioned": boolean, "created": "<ISO 8601>"}` (the
 * device's creation time in milliseconds, stored with its credentials).
 */
@Controller(AUTO_PROVISIONING_PATH.slice(1))
@Requires('PROVISION_TARGET', 'platform')
export class AutoProvisioningController {
  constructor(
    private readonly provisioner: DeviceAutoProvisioner,
    private readonly notifier: ProvisioningNotifier,
  ) {}

  /** Delivers the device's notification if it is still pending (the credentials service's lookups). */
  @Post(':tenantId/:deviceId/announcement')
  @HttpCode(202)
  announce(@Param('tenantId') tenantId: string, @Param('deviceId') deviceId: string): void {
    void this.notifier.notify(tenantId, deviceId, 'lookup');
  }

  @Post(':tenantId/:deviceId')
  async provision(
    @Param('tenantId') tenantId: string,
    @Param('deviceId') deviceId: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const parsed = RequestSchema.safeParse(jsonBody(req, { required: false }) ?? {});
    if (!parsed.success)
      throw new ClientError(400, 'DEVICE.INVALID', 'malformed provisioning request');
    const { created, device } = await this.provisioner.provisionForCertificate(
      tenantId,
      deviceId,
      parsed.data,
    );
    res.status(created ? 201 : 200).json({
      'auto-provisioned': device.status.autoProvisioned,
      created: device.status.created.toISOString(),
    });
  }
}
