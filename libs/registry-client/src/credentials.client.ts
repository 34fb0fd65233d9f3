import type { CredentialsObject } from '@tessera/registry-api';

/** The outcome of a successful credentials lookup. */
export interface CredentialsResult {
  /** The credentials with all their secrets (status 200 or 201). */
  readonly credentials: CredentialsObject;
  /**
   * `true` if the registry has just created the device and its credentials for this request
   * (status 201, X.509 auto-provisioning from the `client-certificate` in the client context).
   * Always `false` for an answer taken from the cache.
   */
  readonly created: boolean;
}

/**
 * Client of the Credentials API (Hono `CredentialsClient`): looks up the credentials a device
 * authenticates with. Transport-neutral; {@link RequestResponseCredentialsClient} implements it on
 * a `RequestResponseClient`, optionally with a response cache.
 *
 * Checking `enabled`, the secrets' validity periods and the secret itself is the caller's job.
 * Implementations create no spans of their own; the transport propagates the active trace context.
 */
export abstract class CredentialsClient {
  /**
   * Gets the credentials of a type by auth-id.
   *
   * @param tenantId the tenant the device belongs to.
   * @param type the credentials type, e.g. `hashed-password`, `x509-cert`, `psk`, `rpk`.
   * @param authId the identity the device presented (for `x509-cert` the subject DN).
   * @param clientContext further request members: the registry only returns credentials whose
   *   `ext` matches them; `client-certificate` (Base64 DER of the validated device certificate)
   *   enables auto-provisioning. It must not contain `type`, `auth-id` or `device-id`.
   * @returns the credentials, and whether they were just auto-provisioned.
   * @throws ClientError (400) if `tenantId` is invalid or the client context has a reserved member
   *   (both checked locally), or if the registry refused the request (e.g. the certificate subject
   *   does not match `authId`); NotFoundError (404) if there are no such credentials, they are
   *   disabled, the client context does not match or the tenant is unknown; ServerError (503,
   *   retryable) if the registry did not answer; ServerError (500, not retryable) for a malformed
   *   reply; any other reply status through `errorFromStatus`.
   */
  abstract get(
    tenantId: string,
    type: string,
    authId: string,
    clientContext?: Readonly<Record<string, unknown>>,
  ): Promise<CredentialsResult>;
}
