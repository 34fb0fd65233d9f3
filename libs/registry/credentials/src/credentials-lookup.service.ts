import type { X509Certificate } from 'node:crypto';

import { Injectable } from '@nestjs/common';

import { CredentialsRepository } from '@tessera/persistence';
import {
  applyIdentityTemplate,
  ClientError,
  CLIENT_CERTIFICATE,
  type CacheDirective,
  type CredentialsObject,
  CredentialType,
  DEFAULT_CREDENTIALS_MAX_AGE_SECONDS,
  GetCredentialsRequestSchema,
  identitySubject,
  issuerOf,
  matchesClientContext,
  maxAge,
  NO_CACHE,
  normalizeDistinguishedName,
  NotFoundError,
  parseOrThrow,
  ServerError,
  splitGetCredentialsRequest,
  subjectOf,
  TenantIdSchema,
} from '@tessera/registry-api';
import { DeviceDirectory, TenantDirectory } from '@tessera/registry-kit';

import { parseCertificate } from './x509';
import { X509AutoProvisioner } from './x509-auto-provisioner';

/** A Credentials API answer: the credentials and how long an adapter may cache them. */
export interface CredentialsLookup {
  /** 200, or 201 when the lookup auto-provisioned the device (issue 6). */
  readonly status: 200 | 201;
  readonly credentials: CredentialsObject;
  readonly cacheDirective: CacheDirective;
}

/** Hono caches only these types; `psk` and `rpk` answers carry `no-cache`. */
const CACHEABLE: ReadonlySet<string> = new Set([
  CredentialType.HASHED_PASSWORD,
  CredentialType.X509_CERT,
]);

/**
 * Hono's Credentials API `get` (AbstractCredentialsService#get): the credentials an adapter checks
 * a device's secret against, found by `type` and `auth-id`; the other request members form the
 * client context, which must agree with the credentials' `ext`.
 *
 * The set is found without asking the device service which device exists under its id now (that
 * would be a remote call per lookup on the adapters' hot path). So when a device is deleted and
 * created again under its id, its predecessor's set is still handed out for it until the deletion's
 * notification removes it (normally within a few seconds) or credentials are set for the new
 * device; the adapter's registration `assert` of the device applies as usual. Management reads and
 * writes do not see such a set (see `ofEarlierIncarnation`).
 */
@Injectable()
export class CredentialsLookupService {
  constructor(
    private readonly credentials: CredentialsRepository,
    private readonly tenants: TenantDirectory,
    private readonly provisioner: X509AutoProvisioner,
    private readonly devices: DeviceDirectory,
  ) {}

  /**
   * @param body the request body as received (validated here).
   * @throws ClientError 400 (malformed request; client certificate not matching `auth-id`),
   *   NotFoundError 404 (unknown tenant; no such, or disabled, credentials; context mismatch),
   *   ServerError 501 (lookup by `device-id`, which Hono does not implement either).
   */
  async get(tenantId: string, body: unknown): Promise<CredentialsLookup> {
    const tenant = parseOrThrow(TenantIdSchema, tenantId, 'TENANT.INVALID_ID');
    const request = parseOrThrow(GetCredentialsRequestSchema, body, 'CREDENTIALS.INVALID', tenant);
    const { type, authId, clientContext } = splitGetCredentialsRequest(request);
    if (authId === undefined)
      throw new ServerError(
        501,
        'CREDENTIALS.UNSUPPORTED',
        'lookup by device-id is not supported',
        {
          tenantId: tenant,
        },
      );
    const encoded = request[CLIENT_CERTIFICATE];
    const certificate =
      encoded === undefined ? undefined : parseCertificate(encoded, 'CREDENTIALS.INVALID_CERT');
    const [tenantFound, stored] = await Promise.all([
      this.tenants.get(tenant),
      this.credentials.findByKey(tenant, { type, authId }),
    ]);
    // Built only when needed: an Error captures a stack trace, and this is the adapters' hot path.
    const notFound = (): NotFoundError =>
      new NotFoundError(
        'CREDENTIALS.NOT_FOUND',
        `no matching credentials for type ${type} and this auth-id`,
        { tenantId: tenant },
      );
    if (!tenantFound) throw notFound();
    if (certificate !== undefined)
      this.checkSubject(certificate, authId, tenant, tenantFound.tenant);
    const credential = stored?.credentials.find(
      (c) => c['type'] === type && c['auth-id'] === authId,
    );
    if (!stored && certificate !== undefined && type === CredentialType.X509_CERT) {
      // Hono's X.509 auto-provisioning: unknown credentials, and the certificate of a CA that allows it.
      const provisioned = await this.provisioner.provision(
        tenant,
        tenantFound.tenant,
        authId,
        certificate,
      );
      if (provisioned !== undefined) {
        return {
          status: 201,
          credentials: provisioned,
          cacheDirective: maxAge(DEFAULT_CREDENTIALS_MAX_AGE_SECONDS),
        };
      }
    }
    // Disabled credentials are not returned at all (Hono answers 404 rather than disabled ones).
    if (!stored || !credential || credential['enabled'] === false) throw notFound();
    const ext = credential['ext'] as Record<string, unknown> | undefined;
    if (!matchesClientContext(clientContext, ext)) throw notFound();
    if (type === CredentialType.X509_CERT) {
      // Hono's lazy retry: an auto-provisioned device whose notification is still pending gets it
      // re-sent when it comes back (not awaited: the device service's relay guarantees delivery).
      void this.devices.announce(tenant, stored.deviceId);
    }
    return {
      status: 200,
      credentials: { ...credential, 'device-id': stored.deviceId } as unknown as CredentialsObject,
      cacheDirective: CACHEABLE.has(type) ? maxAge(DEFAULT_CREDENTIALS_MAX_AGE_SECONDS) : NO_CACHE,
    };
  }

  /**
   * The adapter validated the certificate; the auth-id it asks for must be the certificate's
   * subject, or what the `auth-id-template` of the issuing trusted CA makes of it.
   */
  private checkSubject(
    certificate: X509Certificate,
    authId: string,
    tenant: string,
    tenantJson: Record<string, unknown>,
  ): void {
    const subject = subjectOf(certificate).dn;
    if (subject === (normalizeDistinguishedName(authId) ?? authId)) return;
    const issuer = issuerOf(certificate).dn;
    const anchors = Array.isArray(tenantJson['trusted-ca'])
      ? (tenantJson['trusted-ca'] as Record<string, unknown>[])
      : [];
    const templated = anchors.some((ca) => {
      const template = ca['auth-id-template'];
      if (ca['subject-dn'] !== issuer || typeof template !== 'string') return false;
      try {
        return applyIdentityTemplate(template, identitySubject(certificate)) === authId;
      } catch {
        return false;
      }
    });
    if (!templated)
      throw new ClientError(
        400,
        'CREDENTIALS.SUBJECT_MISMATCH',
        'the client certificate subject does not match the auth-id',
        { tenantId: tenant },
      );
  }
}
