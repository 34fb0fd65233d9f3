import { Injectable } from '@nestjs/common';

import { CredentialsRepository } from '@tessera/persistence';
import {
  ClientError,
  CLIENT_CERTIFICATE,
  type CacheDirective,
  type CredentialsObject,
  CredentialType,
  DEFAULT_CREDENTIALS_MAX_AGE_SECONDS,
  GetCredentialsRequestSchema,
  matchesClientContext,
  maxAge,
  NO_CACHE,
  NotFoundError,
  parseOrThrow,
  ServerError,
  splitGetCredentialsRequest,
  TenantIdSchema,
} from '@tessera/registry-api';
import { normalizeDistinguishedName, subjectOf, TenantDirectory } from '@tessera/registry-kit';

import { parseCertificate } from './x509';

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
 */
@Injectable()
export class CredentialsLookupService {
  constructor(
    private readonly credentials: CredentialsRepository,
    private readonly tenants: TenantDirectory,
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
    const certificate = request[CLIENT_CERTIFICATE];
    if (certificate !== undefined) this.checkSubject(certificate, authId, tenant);
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
    const credential = stored?.credentials.find(
      (c) => c['type'] === type && c['auth-id'] === authId,
    );
    // Disabled credentials are not returned at all (Hono answers 404 rather than disabled ones).
    if (!stored || !credential || credential['enabled'] === false) throw notFound();
    const ext = credential['ext'] as Record<string, unknown> | undefined;
    if (!matchesClientContext(clientContext, ext)) throw notFound();
    return {
      status: 200,
      credentials: { ...credential, 'device-id': stored.deviceId } as unknown as CredentialsObject,
      cacheDirective: CACHEABLE.has(type) ? maxAge(DEFAULT_CREDENTIALS_MAX_AGE_SECONDS) : NO_CACHE,
    };
  }

  // The adapter validated the certificate; its subject must be the auth-id it asks for.
  private checkSubject(base64: string, authId: string, tenant: string): void {
    const subject = subjectOf(parseCertificate(base64, 'CREDENTIALS.INVALID_CERT')).dn;
    if (subject !== (normalizeDistinguishedName(authId) ?? authId))
      throw new ClientError(
        400,
        'CREDENTIALS.SUBJECT_MISMATCH',
        'the client certificate subject does not match the auth-id',
        { tenantId: tenant },
      );
  }
}
