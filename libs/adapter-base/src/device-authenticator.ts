import { createPublicKey, type KeyObject, X509Certificate } from 'node:crypto';

import {
  applyIdentityTemplate,
  CLIENT_CERTIFICATE,
  type CredentialsObject,
  identitySubject,
  type IdentitySubject,
  isServiceInvocationError,
  issuerOf,
  type TenantObject,
  type TenantObjectTrustedCa,
} from '@tessera/registry-api';
import type { CredentialsClient, TenantClient } from '@tessera/registry-client';

import { unauthorized } from './adapter.errors';
import { isSecretUsable, matchesPassword } from './password';
import type { VerifiedCredentialsCache } from './verified-credentials.cache';

/** A device (or gateway) whose identity an adapter has established. */
export interface AuthenticatedDevice {
  readonly tenantId: string;
  readonly deviceId: string;
  readonly authId: string;
  /** How it authenticated. */
  readonly method: 'password' | 'certificate';
}

/** The outcome of an authentication, with what the caller may want to know besides the device. */
export interface AuthenticationResult {
  readonly device: AuthenticatedDevice;
  /** The tenant, when the authentication had to read it (certificates). */
  readonly tenant?: TenantObject;
  /** Whether the registry just auto-provisioned the device (X.509, status 201). */
  readonly autoProvisioned: boolean;
}

const CLIENT_AUTH_EKU = '1.3.6.1.5.5.7.3.2';

/**
 * Splits an adapter username `auth-id@tenant` on the first `@` (Hono's
 * `UsernamePasswordCredentials`); `undefined` when either part is missing.
 */
export function parseUsername(username: string): { authId: string; tenantId: string } | undefined {
  const at = username.indexOf('@');
  if (at <= 0 || at === username.length - 1) return undefined;
  return { authId: username.slice(0, at), tenantId: username.slice(at + 1) };
}

/**
 * Authenticates devices against the Credentials API the way Hono's `CredentialsApiAuthProvider`
 * does, for every protocol adapter: passwords (`hashed-password`) and client certificates
 * (`x509-cert`, tenant found by the issuer DN through the Tenant API).
 *
 * Every failure to authenticate is the same 401, whatever the cause (unknown tenant, unknown or
 * disabled credentials, wrong password, expired secret), so that a caller learns nothing about
 * which identities exist. Registry outages surface as 503.
 */
export class DeviceAuthenticator {
  constructor(
    private readonly tenants: TenantClient,
    private readonly credentials: CredentialsClient,
    private readonly verified: VerifiedCredentialsCache,
  ) {}

  /**
   * Authenticates `auth-id@tenant` with a password.
   * @throws ClientError 401 for any authentication failure; ServerError 503 if the registry is unreachable.
   */
  async authenticatePassword(username: string, password: string): Promise<AuthenticationResult> {
    const parsed = parseUsername(username);
    if (parsed === undefined) throw unauthorized();
    const { authId, tenantId } = parsed;
    const credentials = await this.lookup(tenantId, 'hashed-password', authId);
    const now = Date.now();
    const secrets = credentials.secrets.filter(
      (s) => isSecretUsable(s, now) && s['pwd-hash'] !== undefined,
    );
    if (secrets.length === 0) throw unauthorized();
    const key = this.verified.keyOf(tenantId, authId, password);
    const deviceId = credentials['device-id'];
    const cached = this.verified.get(
      key,
      secrets.map((s) => s['pwd-hash'] ?? ''),
    );
    if (cached !== deviceId) {
      const match = await firstMatch(secrets, password);
      if (match === undefined) throw unauthorized();
      const notAfter = match['not-after'];
      this.verified.put(key, {
        tenantId,
        deviceId,
        pwdHash: match['pwd-hash'] ?? '',
        ...(notAfter !== undefined && { notAfter: Date.parse(notAfter) }),
      });
    }
    return { device: { tenantId, deviceId, authId, method: 'password' }, autoProvisioned: false };
  }

  /**
   * Authenticates a client certificate that the TLS layer received (but did not validate: trust
   * anchors are per tenant). The tenant is the one with a trusted CA whose subject DN is the
   * certificate's issuer; the certificate must be signed by that CA's key, be valid now and, if
   * it names extended key usages, allow client authentication. The auth-id is the subject DN, or
   * the CA's `auth-id-template` applied to it.
   *
   * @param certificate the DER bytes or the parsed leaf certificate.
   * @throws ClientError 401 for any authentication failure; ServerError 503 if the registry is unreachable.
   */
  async authenticateCertificate(
    certificate: Buffer | X509Certificate,
  ): Promise<AuthenticationResult> {
    let leaf: X509Certificate;
    let issuerDn: string;
    let subject: IdentitySubject;
    try {
      leaf =
        certificate instanceof X509Certificate ? certificate : new X509Certificate(certificate);
      issuerDn = issuerOf(leaf).dn;
      subject = identitySubject(leaf);
    } catch {
      throw unauthorized();
    }
    const tenant = await this.tenantByIssuer(issuerDn);
    const now = Date.now();
    const ca = (tenant['trusted-ca'] ?? []).find(
      (anchor) => anchor['subject-dn'] === issuerDn && verifiesWith(leaf, anchor),
    );
    if (ca === undefined || !tenant.enabled) throw unauthorized();
    if (now < Date.parse(leaf.validFrom) || now > Date.parse(leaf.validTo)) throw unauthorized();
    const usages = leaf.keyUsage as string[] | undefined;
    if (usages !== undefined && !usages.includes(CLIENT_AUTH_EKU)) throw unauthorized();

    const authId = authIdOf(ca, subject);
    const tenantId = tenant['tenant-id'];
    // Hono sends the certificate only where its CA allows auto-provisioning (the registry checks
    // again); elsewhere the lookup stays small and cacheable across certificates.
    const context =
      ca['auto-provisioning-enabled'] === true
        ? { [CLIENT_CERTIFICATE]: leaf.raw.toString('base64') }
        : undefined;
    const result = await this.credentials
      .get(tenantId, 'x509-cert', authId, context)
      .catch(rethrowAs401);
    const credentials = result.credentials;
    if (credentials.enabled === false || !credentials.secrets.some((s) => isSecretUsable(s, now))) {
      throw unauthorized();
    }
    return {
      device: { tenantId, deviceId: credentials['device-id'], authId, method: 'certificate' },
      tenant,
      autoProvisioned: result.created,
    };
  }

  private async lookup(tenantId: string, type: string, authId: string): Promise<CredentialsObject> {
    const result = await this.credentials.get(tenantId, type, authId).catch(rethrowAs401);
    if (result.credentials.enabled === false) throw unauthorized();
    return result.credentials;
  }

  private tenantByIssuer(issuerDn: string): Promise<TenantObject> {
    return this.tenants.getBySubjectDn(issuerDn).catch(rethrowAs401);
  }
}

/** 4xx from the registry (not found, disabled, bad request) is a failed authentication; 5xx passes. */
function rethrowAs401(error: unknown): never {
  if (isServiceInvocationError(error) && error.status < 500) throw unauthorized();
  throw error;
}

async function firstMatch<S extends { 'pwd-hash'?: string | undefined }>(
  secrets: readonly S[],
  password: string,
): Promise<S | undefined> {
  for (const secret of secrets) {
    if (await matchesPassword(secret, password)) return secret;
  }
  return undefined;
}

const keys = new Map<string, KeyObject>();

function publicKeyOf(anchor: TenantObjectTrustedCa): KeyObject | undefined {
  const encoded = anchor['public-key'];
  let key = keys.get(encoded);
  if (key === undefined) {
    try {
      key = createPublicKey({ key: Buffer.from(encoded, 'base64'), format: 'der', type: 'spki' });
    } catch {
      return undefined;
    }
    if (keys.size > 10_000) keys.clear();
    keys.set(encoded, key);
  }
  return key;
}

function verifiesWith(leaf: X509Certificate, anchor: TenantObjectTrustedCa): boolean {
  const key = publicKeyOf(anchor);
  try {
    return key !== undefined && leaf.verify(key);
  } catch {
    return false;
  }
}

function authIdOf(ca: TenantObjectTrustedCa, subject: IdentitySubject): string {
  const template = ca['auth-id-template'];
  if (template === undefined) return subject.dn;
  try {
    return applyIdentityTemplate(template, subject);
  } catch {
    // The certificate lacks an attribute the tenant's template needs: it cannot authenticate.
    throw unauthorized();
  }
}
