import { randomUUID } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';
import bcrypt from 'bcryptjs';

import {
  CredentialsRepository,
  PersistenceErrors,
  type CredentialKey,
  type JsonObject,
  type StoredCredentials,
} from '@tessera/persistence';
import {
  bcryptCostFactor,
  ClientError,
  credentialsChangeNotification,
  CredentialsSetSchema,
  CredentialType,
  DeviceIdSchema,
  HashFunction,
  NotFoundError,
  parseOrThrow,
  stripSecrets,
  TenantIdSchema,
  type CredentialsSet,
  type DeviceId,
  type TenantId,
} from '@tessera/registry-api';
import {
  DeviceDirectory,
  outboxMessageOf,
  subjectOf,
  TenantDirectory,
  type DeviceSummary,
} from '@tessera/registry-kit';

import { parseCertificate } from './x509';

/** How passwords are hashed (Hono's `maxBcryptCostFactor` and the cost it hashes `pwd-plain` with). */
export interface PasswordPolicy {
  readonly bcryptCost: number;
  readonly maxBcryptCost: number;
}

/** DI token of the {@link PasswordPolicy}. */
export const PASSWORD_POLICY = Symbol('tessera.password-policy');

type Json = Record<string, unknown>;
type Secret = Json & { id?: string };

/** Members a client may not see and the registry keeps from the stored secret when a PUT omits them. */
const CONFIDENTIAL: Readonly<Record<string, readonly string[]>> = {
  [CredentialType.HASHED_PASSWORD]: ['pwd-hash', 'salt', 'hash-function'],
  [CredentialType.PSK]: ['key'],
  [CredentialType.RPK]: ['key', 'algorithm'],
};

/**
 * A bcrypt hash labelled `$2a$`, the only version Hono's adapters verify. bcryptjs writes `$2b$`,
 * which computes the same hash; `2b` only fixed a length-counter wrap for passwords of 256 bytes or
 * more, and bcrypt reads just the first 72 bytes of a password anyway.
 */
export async function bcryptHash(plain: string, cost: number): Promise<string> {
  return (await bcrypt.hash(plain, cost)).replace(/^\$2[by]\$/, '$2a$');
}

/**
 * Whether a stored set was written for an earlier incarnation of the device: one deleted before
 * `device` was created under its id, whose set the deletion's notification has not removed yet
 * (Hono deletes it with the device). Such a set is not the device's. A set written before the
 * incarnation was recorded counts as the current device's. Both times come from the device
 * service, in milliseconds, as stored.
 */
export function ofEarlierIncarnation(stored: StoredCredentials, device: DeviceSummary): boolean {
  return (
    stored.deviceCreated !== undefined && stored.deviceCreated.getTime() < device.created.getTime()
  );
}

/**
 * Credentials management (Hono's `CredentialsManagementService`): the whole set per device,
 * `pwd-plain` hashed with bcrypt, secrets patched by id, secrets never returned, and a
 * `credentials-change-v1` notification with every change. Each set is stored with the creation
 * time of the device it was written for; a set left by an earlier device with the same id (until
 * the deletion's notification removes it) reads as none and is replaced, never merged.
 */
@Injectable()
export class CredentialsManagementService {
  constructor(
    private readonly credentials: CredentialsRepository,
    private readonly devices: DeviceDirectory,
    private readonly tenants: TenantDirectory,
    @Inject(PASSWORD_POLICY) private readonly policy: PasswordPolicy,
  ) {}

  /**
   * The device's credentials without secrets; `version` is undefined while none were ever set.
   * @throws ClientError 400 (invalid ids), NotFoundError 404 (unknown device).
   */
  async get(
    tenantId: string,
    deviceId: string,
  ): Promise<{ credentials: CredentialsSet; version: string | undefined }> {
    const { tenant, device } = this.ids(tenantId, deviceId);
    const current = await this.requireDevice(tenant, device);
    const stored = await this.credentials.findByDevice(tenant, device);
    if (!stored || ofEarlierIncarnation(stored, current))
      return { credentials: [], version: undefined };
    return {
      credentials: stripSecrets(stored.credentials as unknown as CredentialsSet),
      version: stored.version,
    };
  }

  /**
   * Replaces the device's credentials set, in Hono's patch mode for secrets with an `id`.
   * @throws ClientError 400 (invalid body, unknown secret id, id on a new secret, bcrypt cost too
   *   high), 403 (`max-credentials-per-device`), NotFoundError 404 (unknown device or tenant),
   *   ResourceConflictError 409 (type/auth-id used by another device), 412 (`If-Match`).
   */
  async set(
    tenantId: string,
    deviceId: string,
    body: unknown,
    ifMatch: string | undefined,
  ): Promise<string> {
    const { tenant, device } = this.ids(tenantId, deviceId);
    if (!Array.isArray(body))
      throw new ClientError(
        400,
        'CREDENTIALS.INVALID',
        'body must be a JSON array of credentials',
        { tenantId: tenant },
      );
    const parsed = parseOrThrow(
      CredentialsSetSchema,
      body,
      'CREDENTIALS.INVALID',
      tenant,
    ) as unknown as Json[];
    const summary = await this.tenants.get(tenant);
    if (!summary)
      throw new NotFoundError('TENANT.NOT_FOUND', `tenant ${tenant} not found`, {
        tenantId: tenant,
      });
    const current = await this.requireDevice(tenant, device);
    if (
      summary.maxCredentialsPerDevice !== undefined &&
      parsed.length > summary.maxCredentialsPerDevice
    ) {
      throw new ClientError(
        403,
        'CREDENTIALS.LIMIT_REACHED',
        `a device of tenant ${tenant} may have at most ${String(summary.maxCredentialsPerDevice)} credentials`,
        { tenantId: tenant },
      );
    }
    const found = await this.credentials.findByDevice(tenant, device);
    // An earlier device's set: none to patch (its secret ids are unknown here), and replaced.
    const stale = found !== undefined && ofEarlierIncarnation(found, current);
    if (stale && ifMatch !== undefined)
      throw PersistenceErrors.versionMismatch('credentials', device);
    const previous = (stale ? [] : (found?.credentials ?? [])) as Json[];
    const merged: Json[] = [];
    for (const credential of parsed)
      merged.push(await this.merge(this.withCertificate(credential), previous, tenant));
    const seen = new Set<string>();
    for (const c of merged) {
      const key = `${String(c['type'])}\u0000${String(c['auth-id'])}`;
      if (seen.has(key))
        throw new ClientError(
          400,
          'CREDENTIALS.DUPLICATE',
          `duplicate credentials for type ${String(c['type'])} and auth-id ${String(c['auth-id'])}`,
          { tenantId: tenant },
        );
      seen.add(key);
    }
    const keys: CredentialKey[] = merged.map((c) => ({
      type: String(c['type']),
      authId: String(c['auth-id']),
    }));
    return this.credentials.replace(
      tenant,
      device,
      merged as JsonObject[],
      keys,
      ifMatch,
      [outboxMessageOf(credentialsChangeNotification(tenant, device))],
      current.created,
    );
  }

  /** The device's set as stored (whichever device it was written for), or undefined. */
  findStored(tenantId: TenantId, deviceId: DeviceId): Promise<StoredCredentials | undefined> {
    return this.credentials.findByDevice(tenantId, deviceId);
  }

  /**
   * Drops a deleted device's credentials (driven by its `device-change-v1` DELETE notification).
   * @param version if given, only the set of this version goes (not one written meanwhile).
   */
  async deleteForDevice(tenantId: TenantId, deviceId: DeviceId, version?: string): Promise<void> {
    await this.credentials.deleteForDevice(tenantId, deviceId, [], version);
  }

  /** Drops all credentials of a tenant whose devices were all deleted. */
  async deleteAllOfTenant(tenantId: TenantId): Promise<void> {
    await this.credentials.deleteAllOfTenant(tenantId, []);
  }

  // x509-cert given as `cert`: the auth-id and validity come from the certificate, which is dropped.
  private withCertificate(credential: Json): Json {
    if (credential['type'] !== CredentialType.X509_CERT || typeof credential['cert'] !== 'string')
      return credential;
    const certificate = parseCertificate(credential['cert'], 'CREDENTIALS.INVALID_CERT');
    const { cert: _cert, ...rest } = credential;
    const secrets = (rest['secrets'] as Secret[] | undefined) ?? [{}];
    const secret: Secret = {
      ...secrets[0],
      'not-before': new Date(certificate.validFrom).toISOString(),
      'not-after': new Date(certificate.validTo).toISOString(),
    };
    return { ...rest, 'auth-id': subjectOf(certificate).dn, secrets: [secret] };
  }

  private async merge(
    credential: Json,
    previous: readonly Json[],
    tenant: TenantId,
  ): Promise<Json> {
    const type = String(credential['type']);
    const authId = String(credential['auth-id']);
    const existing = previous.find((p) => p['type'] === type && p['auth-id'] === authId);
    const oldSecrets = (existing?.['secrets'] as Secret[] | undefined) ?? [];
    const secrets: Secret[] = [];
    for (const secret of (credential['secrets'] as Secret[] | undefined) ?? []) {
      let next: Secret;
      if (secret.id !== undefined) {
        const old = oldSecrets.find((s) => s.id === secret.id);
        if (!old) {
          throw new ClientError(
            400,
            'CREDENTIALS.UNKNOWN_SECRET',
            existing ? `unknown secret id ${secret.id}` : 'a new secret must not have an id',
            { tenantId: tenant },
          );
        }
        const kept = Object.fromEntries(
          (CONFIDENTIAL[type] ?? [])
            .filter((m) => m in old && !(m in secret))
            .map((m) => [m, old[m]]),
        );
        // A new password replaces the stored hash; otherwise the stored hash is kept.
        next =
          secret['pwd-plain'] === undefined && !('pwd-hash' in secret)
            ? { ...kept, ...secret }
            : { ...secret };
      } else {
        next = { ...secret, id: randomUUID() };
      }
      secrets.push(await this.hashPassword(type, next, tenant));
    }
    return { ...credential, secrets };
  }

  private async hashPassword(type: string, secret: Secret, tenant: TenantId): Promise<Secret> {
    if (type !== CredentialType.HASHED_PASSWORD) return secret;
    const plain = secret['pwd-plain'];
    if (typeof plain === 'string') {
      const { 'pwd-plain': _plain, salt: _salt, ...rest } = secret;
      return {
        ...rest,
        'hash-function': HashFunction.BCRYPT,
        'pwd-hash': await bcryptHash(plain, this.policy.bcryptCost),
      };
    }
    const hash = secret['pwd-hash'];
    if (secret['hash-function'] === HashFunction.BCRYPT && typeof hash === 'string') {
      const cost = bcryptCostFactor(hash) ?? 0;
      if (cost > this.policy.maxBcryptCost) {
        throw new ClientError(
          400,
          'CREDENTIALS.BCRYPT_COST',
          `bcrypt cost ${String(cost)} exceeds the maximum of ${String(this.policy.maxBcryptCost)}`,
          { tenantId: tenant },
        );
      }
    }
    return secret;
  }

  private async requireDevice(tenant: TenantId, device: DeviceId): Promise<DeviceSummary> {
    const found = await this.devices.find(tenant, device);
    if (!found) {
      throw new NotFoundError(
        'DEVICE.NOT_FOUND',
        `device ${device} not found in tenant ${tenant}`,
        { tenantId: tenant },
      );
    }
    return found;
  }

  private ids(tenantId: string, deviceId: string): { tenant: TenantId; device: DeviceId } {
    const tenant = parseOrThrow(TenantIdSchema, tenantId, 'TENANT.INVALID_ID');
    return { tenant, device: parseOrThrow(DeviceIdSchema, deviceId, 'DEVICE.INVALID_ID', tenant) };
  }
}
