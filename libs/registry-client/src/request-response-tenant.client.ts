import type { RequestResponseClient } from '@tessera/messaging';
import {
  ClientError,
  REGISTRY_CONTENT_TYPE,
  RegistryAddress,
  RequestSubject,
  type TenantObject,
  TenantObjectSchema,
} from '@tessera/registry-api';

import { tenantByIdKey, tenantBySubjectDnKey, tenantTag } from './caching/cache-keys';
import type { Cacheable } from './caching/response-cache';
import type { RegistryClientOptions } from './registry-client.options';
import { checkTenantId, invokeRegistry, RegistryClientErrorCode } from './registry-request';
import { TenantClient } from './tenant.client';

/**
 * {@link TenantClient} on Hono's AMQP Tenant API: subject `get` to address `tenant`, JSON body
 * `{"tenant-id": …}` or `{"subject-dn": …}`, TenantObject in a 200 reply.
 *
 * With a cache, 200 replies are kept as their `cache_control` allows, tagged with the tenant ID
 * of the reply (also for lookups by subject DN or alias), and concurrent identical calls share one
 * request.
 */
export class RequestResponseTenantClient extends TenantClient {
  /**
   * @param requestResponse the transport; its lifecycle stays with the caller.
   * @param options per-request timeout and optional cache.
   */
  constructor(
    private readonly requestResponse: RequestResponseClient,
    private readonly options: RegistryClientOptions<TenantObject> = {},
  ) {
    super();
  }

  // Not `async`: a cache hit (every request of an adapter) then costs no extra promise.
  get(tenantId: string): Promise<TenantObject> {
    const id = checkTenantId(tenantId);
    if (id instanceof ClientError) return Promise.reject(id);
    return this.lookup(tenantByIdKey(id), 'tenant-id', id);
  }

  getBySubjectDn(subjectDn: string): Promise<TenantObject> {
    if (subjectDn.trim() === '') {
      return Promise.reject(
        new ClientError(400, RegistryClientErrorCode.INVALID_REQUEST, 'empty subject DN'),
      );
    }
    return this.lookup(tenantBySubjectDnKey(subjectDn), 'subject-dn', subjectDn);
  }

  private lookup(
    key: string,
    by: 'tenant-id' | 'subject-dn',
    value: string,
  ): Promise<TenantObject> {
    const load = async (): Promise<Cacheable<TenantObject>> => {
      const body = { [by]: value };
      const tags = by === 'tenant-id' ? [tenantTag(value)] : [];
      const reply = await invokeRegistry(
        this.requestResponse,
        RegistryAddress.tenant(),
        {
          subject: RequestSubject.GET,
          contentType: REGISTRY_CONTENT_TYPE,
          body: Buffer.from(JSON.stringify(body), 'utf8'),
        },
        TenantObjectSchema,
        { timeoutMs: this.options.timeoutMs, successStatuses: [200] },
      );
      return {
        result: reply.value,
        cacheDirective: reply.cacheDirective,
        tags: [...tags, tenantTag(reply.value['tenant-id'])],
      };
    };
    const cache = this.options.cache;
    return cache === undefined ? load().then((r) => r.result) : cache.get(key, load);
  }
}
