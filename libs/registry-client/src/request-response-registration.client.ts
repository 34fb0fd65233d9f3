import type { Message, RequestResponseClient } from '@tessera/messaging';
import {
  ApplicationProperty,
  ClientError,
  type RegistrationAssertion,
  RegistrationAssertionSchema,
  RegistryAddress,
  RequestSubject,
} from '@tessera/registry-api';

import { deviceTag, registrationKey, tenantTag } from './caching/cache-keys';
import type { Cacheable } from './caching/response-cache';
import { RegistrationClient } from './registration.client';
import type { RegistryClientOptions } from './registry-client.options';
import { checkTenantId, invokeRegistry } from './registry-request';

/**
 * {@link RegistrationClient} on Hono's AMQP Device Registration API: subject `assert` to address
 * `registration/<tenant>`, no body, application properties `device_id` and (optionally)
 * `gateway_id`, RegistrationAssertion in a 200 reply.
 *
 * With a cache, 200 replies are kept per (tenant, device, gateway) as their `cache_control`
 * allows, tagged with the tenant, the device, the gateway and every `via` gateway, and concurrent
 * identical calls share one request.
 */
export class RequestResponseRegistrationClient extends RegistrationClient {
  /**
   * @param requestResponse the transport; its lifecycle stays with the caller.
   * @param options per-request timeout and optional cache.
   */
  constructor(
    private readonly requestResponse: RequestResponseClient,
    private readonly options: RegistryClientOptions<RegistrationAssertion> = {},
  ) {
    super();
  }

  // Not `async`: a cache hit (every request of an adapter) then costs no extra promise.
  assertRegistration(
    tenantId: string,
    deviceId: string,
    gatewayId?: string,
  ): Promise<RegistrationAssertion> {
    const tenant = checkTenantId(tenantId);
    if (tenant instanceof ClientError) return Promise.reject(tenant);
    const load = async (): Promise<Cacheable<RegistrationAssertion>> => {
      const request: Message = {
        subject: RequestSubject.ASSERT,
        properties: {
          [ApplicationProperty.DEVICE_ID]: deviceId,
          ...(gatewayId === undefined ? {} : { [ApplicationProperty.GATEWAY_ID]: gatewayId }),
        },
      };
      const reply = await invokeRegistry(
        this.requestResponse,
        RegistryAddress.registration(tenant),
        request,
        RegistrationAssertionSchema,
        { timeoutMs: this.options.timeoutMs, successStatuses: [200] },
      );
      const devices = [deviceId, reply.value['device-id'], ...(reply.value.via ?? [])];
      if (gatewayId !== undefined) devices.push(gatewayId);
      return {
        result: reply.value,
        cacheDirective: reply.cacheDirective,
        tags: [tenantTag(tenant), ...new Set(devices.map((d) => deviceTag(tenant, d)))],
      };
    };
    const cache = this.options.cache;
    if (cache === undefined) return load().then((r) => r.result);
    return cache.get(registrationKey(tenant, deviceId, gatewayId), load);
  }
}
