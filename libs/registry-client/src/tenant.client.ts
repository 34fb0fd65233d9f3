import type { TenantObject } from '@tessera/registry-api';

/**
 * Client of the Tenant API (Hono `TenantClient`): reads the adapter-facing configuration of a
 * tenant. Transport-neutral; {@link RequestResponseTenantClient} implements it on a
 * `RequestResponseClient`, optionally with a response cache.
 *
 * Implementations create no spans of their own; the transport propagates the active trace context.
 */
export abstract class TenantClient {
  /**
   * Gets a tenant by its ID (the registry may also match an alias).
   *
   * @param tenantId the tenant ID.
   * @returns the tenant's TenantObject; its `tenant-id` is the real ID even when `tenantId` was an
   *   alias. A disabled tenant is returned too (`enabled: false`): checking it is the caller's job.
   * @throws ClientError (400) if `tenantId` is invalid (checked locally) or the registry refused the
   *   request; ClientError (403) if this client may not read the tenant; NotFoundError (404) if
   *   there is no such tenant; ServerError (503, retryable) if the registry did not answer
   *   (no connection, timeout); ServerError (500, not retryable) for a malformed reply; any other
   *   reply status through `errorFromStatus`.
   */
  abstract get(tenantId: string): Promise<TenantObject>;

  /**
   * Gets the tenant that has a trusted CA with the given subject DN (certificate authentication:
   * the tenant of a client certificate's issuer).
   *
   * @param subjectDn the RFC 2253 subject DN of the CA, as the registry stores it.
   * @returns the tenant's TenantObject.
   * @throws ClientError (400) if `subjectDn` is empty (checked locally) or does not parse;
   *   NotFoundError (404) if no tenant, or more than one, trusts that CA; otherwise as
   *   {@link TenantClient.get}.
   */
  abstract getBySubjectDn(subjectDn: string): Promise<TenantObject>;
}
