import type { RequestResponseClient } from '@tessera/messaging';
import {
  ClientError,
  CredentialsObjectSchema,
  REGISTRY_CONTENT_TYPE,
  RegistryAddress,
  RequestSubject,
} from '@tessera/registry-api';

import { credentialsKey, deviceTag, tenantTag } from './caching/cache-keys';
import type { Cacheable } from './caching/response-cache';
import { CredentialsClient, type CredentialsResult } from './credentials.client';
import type { RegistryClientOptions } from './registry-client.options';
import { checkTenantId, invokeRegistry, RegistryClientErrorCode } from './registry-request';

/** Request members a client context may not set (the registry would misread them). */
const RESERVED_MEMBERS = ['type', 'auth-id', 'device-id'] as const;

/**
 * {@link CredentialsClient} on Hono's AMQP Credentials API: subject `get` to address
 * `credentials/<tenant>`, JSON body `{"type", "auth-id", ...clientContext}`, CredentialsObject in
 * a 200 or (auto-provisioned) 201 reply.
 *
 * With a cache, only 200 replies are kept, as their `cache_control` allows (the registry sends
 * `no-cache` for `psk` and `rpk`), per (tenant, type, auth-id, client context) and tagged with the
 * tenant and the reply's `device-id`. A 201 is never cached: it reports a one-off event, and the
 * next lookup gets a cacheable 200. Concurrent identical calls share one request, and then all
 * see `created: true` if it created the device.
 */
export class RequestResponseCredentialsClient extends CredentialsClient {
  /**
   * @param requestResponse the transport; its lifecycle stays with the caller.
   * @param options per-request timeout and optional cache.
   */
  constructor(
    private readonly requestResponse: RequestResponseClient,
    private readonly options: RegistryClientOptions<CredentialsResult> = {},
  ) {
    super();
  }

  // Not `async`: a cache hit (every request of an adapter) then costs no extra promise.
  get(
    tenantId: string,
    type: string,
    authId: string,
    clientContext: Readonly<Record<string, unknown>> = {},
  ): Promise<CredentialsResult> {
    const tenant = checkTenantId(tenantId);
    if (tenant instanceof ClientError) return Promise.reject(tenant);
    const reserved = hasMembers(clientContext)
      ? RESERVED_MEMBERS.filter((name) => clientContext[name] !== undefined)
      : [];
    if (reserved.length > 0) {
      return Promise.reject(
        new ClientError(
          400,
          RegistryClientErrorCode.INVALID_REQUEST,
          `client context must not contain ${reserved.join(', ')}`,
          { tenantId: tenant },
        ),
      );
    }
    const load = async (): Promise<Cacheable<CredentialsResult>> => {
      const body = { ...clientContext, type, 'auth-id': authId };
      const reply = await invokeRegistry(
        this.requestResponse,
        RegistryAddress.credentials(tenant),
        {
          subject: RequestSubject.GET,
          contentType: REGISTRY_CONTENT_TYPE,
          body: Buffer.from(JSON.stringify(body), 'utf8'),
        },
        CredentialsObjectSchema,
        { timeoutMs: this.options.timeoutMs, successStatuses: [200, 201] },
      );
      return {
        result: { credentials: reply.value, created: reply.status === 201 },
        cacheDirective: reply.status === 200 ? reply.cacheDirective : undefined,
        tags: [tenantTag(tenant), deviceTag(tenant, reply.value['device-id'])],
      };
    };
    const cache = this.options.cache;
    if (cache === undefined) return load().then((r) => r.result);
    return cache.get(credentialsKey(tenant, type, authId, clientContext), load);
  }
}

function hasMembers(value: Readonly<Record<string, unknown>>): boolean {
  for (const _ in value) return true;
  return false;
}
