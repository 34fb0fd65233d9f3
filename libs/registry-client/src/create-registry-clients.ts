import { type Message, RequestResponseClient } from '@tessera/messaging';

import {
  parseRegistryNotification,
  RegistryCache,
  type RegistryCacheStats,
} from './caching/registry-cache';
import type { ResponseCacheOptions, ResponseCacheStats } from './caching/response-cache';
import type { CredentialsClient } from './credentials.client';
import type { RegistrationClient } from './registration.client';
import { RequestResponseCredentialsClient } from './request-response-credentials.client';
import { RequestResponseRegistrationClient } from './request-response-registration.client';
import { RequestResponseTenantClient } from './request-response-tenant.client';
import type { TenantClient } from './tenant.client';

/**
 * Where each API is served: one transport for all three (embedded mode, or one registry), or one
 * per API (the distributed services each have their own AMQP port, as Hono's `HONO_TENANT`,
 * `HONO_REGISTRATION` and `HONO_CREDENTIALS` connections).
 */
export type RegistryTransports =
  | RequestResponseClient
  | {
      readonly tenant: RequestResponseClient;
      readonly registration: RequestResponseClient;
      readonly credentials: RequestResponseClient;
    };

/** Options of {@link createRegistryClients}. */
export interface RegistryClientsOptions {
  /** Reply timeout (ms) of every request. Default: the `RequestResponseClient`'s own. */
  readonly timeoutMs?: number;
  /**
   * Options of the three response caches (each bounded by `maxEntries`), or `false` for no
   * caching. Default: caching with the defaults of `ResponseCacheOptions`.
   */
  readonly cache?: ResponseCacheOptions | false;
}

/** The three registry clients sharing one transport and one {@link RegistryCache}. */
export interface RegistryClients {
  readonly tenant: TenantClient;
  readonly registration: RegistrationClient;
  readonly credentials: CredentialsClient;
  /** The caches; `undefined` when caching is off. */
  readonly cache: RegistryCache | undefined;
  /**
   * Applies a registry notification message to the caches; pass every message received from the
   * notification topics. Returns `false` (and does nothing) for a message that is no registry
   * notification; never throws.
   */
  readonly handleNotificationMessage: (message: Message) => boolean;
  /** The cache counters; all zero when caching is off. */
  readonly stats: () => RegistryCacheStats;
}

const NO_STATS: ResponseCacheStats = {
  hits: 0,
  misses: 0,
  coalesced: 0,
  evictions: 0,
  expirations: 0,
  invalidations: 0,
  discarded: 0,
  size: 0,
};

/**
 * Builds the Tenant, Registration and Credentials clients of a protocol adapter on one
 * request/response transport (e.g. `AmqpRequestResponseClient` connected to the registry).
 *
 * @param transports the transport(s); the caller starts and stops them.
 * @param options timeout and cache settings.
 * @returns the clients, the cache and its notification entry point.
 * @throws RangeError for invalid cache options.
 */
export function createRegistryClients(
  transports: RegistryTransports,
  options: RegistryClientsOptions = {},
): RegistryClients {
  const per =
    transports instanceof RequestResponseClient
      ? { tenant: transports, registration: transports, credentials: transports }
      : transports;
  const cache = options.cache === false ? undefined : new RegistryCache(options.cache);
  const timeout = options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs };
  return {
    tenant: new RequestResponseTenantClient(per.tenant, {
      ...timeout,
      ...(cache && { cache: cache.tenants }),
    }),
    registration: new RequestResponseRegistrationClient(per.registration, {
      ...timeout,
      ...(cache && { cache: cache.registrations }),
    }),
    credentials: new RequestResponseCredentialsClient(per.credentials, {
      ...timeout,
      ...(cache && { cache: cache.credentials }),
    }),
    cache,
    handleNotificationMessage: (message) =>
      cache === undefined
        ? parseRegistryNotification(message) !== undefined
        : cache.handleNotificationMessage(message),
    stats: () =>
      cache?.stats() ?? { tenant: NO_STATS, registration: NO_STATS, credentials: NO_STATS },
  };
}
