import { createHash, createPublicKey, type X509Certificate } from 'node:crypto';

import { Injectable, Logger } from '@nestjs/common';

import { CredentialsRepository, type JsonObject } from '@tessera/persistence';
import {
  applyIdentityTemplate,
  ClientError,
  credentialsChangeNotification,
  type CredentialsObject,
  CredentialType,
  type DeviceId,
  DeviceIdSchema,
  formatHonoTimestamp,
  identitySubject,
  issuerOf,
  ResourceConflictError,
  type TenantId,
} from '@tessera/registry-api';
import {
  countProvisioning,
  DeviceDirectory,
  outboxMessageOf,
  provisioningFailureReason,
} from '@tessera/registry-kit';

import { ofEarlierIncarnation } from './credentials-management.service';

/** The authority an auto-provisioned gateway gets (Hono). */
const AUTO_PROVISIONING_ENABLED = 'auto-provisioning-enabled';

type Json = Record<string, unknown>;

/**
 * A device id derived from the certificate (a version-8 UUID over its SHA-256), where Hono picks a
 * random one: every request with the same certificate, concurrent or retried after a crash, names
 * the same device, so device and credentials converge on exactly one of each.
 */
export function deviceIdOfCertificate(certificate: X509Certificate): string {
  const hash = createHash('sha256').update(certificate.raw).digest();
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x80;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function validNow(ca: Json, now: number): boolean {
  const from = typeof ca['not-before'] === 'string' ? Date.parse(ca['not-before']) : undefined;
  const to = typeof ca['not-after'] === 'string' ? Date.parse(ca['not-after']) : undefined;
  return (from === undefined || now >= from) && (to === undefined || now <= to);
}

function signedBy(certificate: X509Certificate, ca: Json): boolean {
  const key = ca['public-key'];
  if (typeof key !== 'string') return false;
  try {
    return certificate.verify(
      createPublicKey({ key: Buffer.from(key, 'base64'), format: 'der', type: 'spki' }),
    );
  } catch {
    return false;
  }
}

/**
 * Hono's X.509 auto-provisioning (`DeviceAndGatewayAutoProvisioner`), in the credentials service:
 * a Credentials `get` for unknown `x509-cert` credentials that carries the client certificate
 * creates the device (through the device service, which owns it and delivers its provisioning
 * notification) and its credentials.
 *
 * The registry re-checks what the adapter claimed: the tenant must trust the certificate's issuer
 * with `auto-provisioning-enabled`, the CA entry must be valid now and its key must verify the
 * certificate, which must be valid now. Device and credentials are created both or neither: a
 * failed credentials write deletes the device it just created, and a crash in between leaves a
 * device that the next attempt with the same certificate completes (its id is derived from the
 * certificate, or from the CA's template).
 */
@Injectable()
export class X509AutoProvisioner {
  private readonly logger = new Logger('x509-auto-provisioning');

  constructor(
    private readonly credentials: CredentialsRepository,
    private readonly devices: DeviceDirectory,
  ) {}

  /**
   * @param tenantJson the tenant as the tenant service returns it.
   * @returns the new credentials (with `device-id`), or undefined when the tenant does not allow
   *   auto-provisioning for this certificate (the caller answers 404).
   * @throws ClientError 400 (the template gives an invalid device id), 403 (`max-devices`), 409
   *   (the id belongs to a device that was not auto-provisioned); ServerError 503.
   */
  async provision(
    tenant: TenantId,
    tenantJson: Json,
    authId: string,
    certificate: X509Certificate,
  ): Promise<CredentialsObject | undefined> {
    const now = Date.now();
    if (now < Date.parse(certificate.validFrom) || now > Date.parse(certificate.validTo)) {
      return undefined;
    }
    const issuer = issuerOf(certificate).dn;
    const anchors = Array.isArray(tenantJson['trusted-ca'])
      ? (tenantJson['trusted-ca'] as Json[])
      : [];
    const ca = anchors.find(
      (a) =>
        a['subject-dn'] === issuer &&
        a['auto-provisioning-enabled'] === true &&
        validNow(a, now) &&
        signedBy(certificate, a),
    );
    if (ca === undefined) {
      this.count('refused', 'ca-not-trusted');
      return undefined;
    }
    let deviceId: string;
    try {
      deviceId = this.deviceIdFor(tenant, ca, certificate);
    } catch (error) {
      if (error instanceof ClientError && error.status === 400) this.count('failed', 'invalid-id');
      throw error;
    }
    const asGateway = ca['auto-provision-as-gateway'] === true;
    let created: boolean;
    let deviceCreated: Date | undefined;
    try {
      const result = await this.devices.provision(tenant, deviceId, {
        ...(asGateway && { authorities: [AUTO_PROVISIONING_ENABLED] }),
        comment: `Auto-provisioned at ${formatHonoTimestamp(new Date(now))}`,
      });
      if (!result.autoProvisioned) {
        throw new ResourceConflictError(
          'DEVICE.CONFLICT',
          `device ${deviceId} exists and was not auto-provisioned`,
          { tenantId: tenant },
        );
      }
      created = result.created;
      // The device's creation time goes with its credentials (from a device service that does
      // not report it, asked for it).
      deviceCreated = result.deviceCreated ?? (await this.devices.find(tenant, deviceId))?.created;
    } catch (error) {
      this.count('failed', provisioningFailureReason(error));
      throw error;
    }
    try {
      const stored = await this.storeCredentials(
        tenant,
        deviceId as DeviceId,
        authId,
        deviceCreated,
      );
      this.count('provisioned', asGateway ? 'gateway' : 'device');
      return stored;
    } catch (error) {
      if (created) {
        // Both or neither: the device goes again (its notification, if already out, stays valid
        // as at-least-once; Hono deletes the device too).
        await this.devices.remove(tenant, deviceId).catch((e: unknown) => {
          this.logger.warn(`cannot undo device ${tenant}/${deviceId}: ${String(e)}`);
        });
      }
      this.count('failed', 'credentials');
      throw error;
    }
  }

  private deviceIdFor(tenant: TenantId, ca: Json, certificate: X509Certificate): string {
    const template = ca['auto-provisioning-device-id-template'];
    if (typeof template !== 'string') return deviceIdOfCertificate(certificate);
    let id: string;
    try {
      id = applyIdentityTemplate(template, identitySubject(certificate));
    } catch (cause) {
      throw new ClientError(
        400,
        'DEVICE.INVALID_ID',
        'the device-id template does not apply to this certificate',
        {
          tenantId: tenant,
          cause,
        },
      );
    }
    if (!DeviceIdSchema.safeParse(id).success) {
      throw new ClientError(400, 'DEVICE.INVALID_ID', `the template gives an invalid device id`, {
        tenantId: tenant,
      });
    }
    return id;
  }

  /**
   * Adds the `x509-cert` credential to the device's set; a concurrent writer's result is reused.
   * A set left by an earlier device with this id (created before `deviceCreated`) is replaced.
   */
  private async storeCredentials(
    tenant: TenantId,
    deviceId: DeviceId,
    authId: string,
    deviceCreated: Date | undefined,
  ): Promise<CredentialsObject> {
    const credential: Json = {
      type: CredentialType.X509_CERT,
      'auth-id': authId,
      enabled: true,
      secrets: [{}],
      comment: 'auto-provisioned',
    };
    const answer = { ...credential, 'device-id': deviceId } as unknown as CredentialsObject;
    for (let attempt = 0; attempt < 3; attempt++) {
      const existing = await this.credentials.findByDevice(tenant, deviceId);
      const stale =
        existing !== undefined &&
        deviceCreated !== undefined &&
        ofEarlierIncarnation(existing, { created: deviceCreated });
      const current = stale ? [] : (existing?.credentials ?? []);
      const others = current.filter(
        (c) => !(c['type'] === CredentialType.X509_CERT && c['auth-id'] === authId),
      );
      if (others.length !== current.length) return answer;
      const set = [...others, credential] as JsonObject[];
      const keys = [...others, credential].map((c) => ({
        type: typeof c['type'] === 'string' ? c['type'] : '',
        authId: typeof c['auth-id'] === 'string' ? c['auth-id'] : '',
      }));
      try {
        await this.credentials.replace(
          tenant,
          deviceId,
          set,
          keys,
          existing?.version,
          [outboxMessageOf(credentialsChangeNotification(tenant, deviceId))],
          deviceCreated,
        );
        return answer;
      } catch (error) {
        if (!(error instanceof ResourceConflictError)) throw error;
        // Written concurrently (412) or the key taken (409): look at what is stored now.
        const now = await this.credentials.findByKey(tenant, {
          type: CredentialType.X509_CERT,
          authId,
        });
        if (now?.deviceId === deviceId) return answer;
        if (now !== undefined) throw error;
      }
    }
    throw new ResourceConflictError('CREDENTIALS.CONFLICT', 'credentials changed concurrently', {
      tenantId: tenant,
    });
  }

  private count(outcome: string, reason: string): void {
    countProvisioning('certificate', outcome, reason);
  }
}
