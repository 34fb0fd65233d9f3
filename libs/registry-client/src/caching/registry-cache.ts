import { jsonBody, type Message } from '@tessera/messaging';
import {
  type RegistrationAssertion,
  type RegistryNotification,
  RegistryNotificationSchema,
  RegistryNotificationType,
  type TenantObject,
} from '@tessera/registry-api';

import type { CredentialsResult } from '../credentials.client';
import { deviceTag, tenantTag } from './cache-keys';
import {
  ResponseCache,
  type ResponseCacheOptions,
  type ResponseCacheStats,
} from './response-cache';

/** The counters of the three caches of a {@link RegistryCache}. */
export interface RegistryCacheStats {
  readonly tenant: ResponseCacheStats;
  readonly registration: ResponseCacheStats;
  readonly credentials: ResponseCacheStats;
}

/**
 * Parses a registry notification message (JSON body; the content type is not checked, as Kafka
 * records may lack it).
 *
 * @returns the notification, or `undefined` for an empty, non-JSON or unknown message.
 */
export function parseRegistryNotification(message: Message): RegistryNotification | undefined {
  let body: unknown;
  try {
    body = jsonBody(message);
  } catch {
    return undefined;
  }
  const parsed = RegistryNotificationSchema.safeParse(body);
  return parsed.success ? parsed.data : undefined;
}

/**
 * The response caches of the three registry clients (one {@link ResponseCache} each, each
 * bounded by `maxEntries`) and their invalidation by registry notifications.
 *
 * Rules (Hono's `ProtonBased*Client`s, plus the deviations marked "beyond Hono", which make a
 * disabled device or a removed CA stop working as soon as the notification arrives instead of
 * after `max-age`):
 * - `tenant-change-v1`: drop the tenant's Tenant entries, by ID and by subject DN, on **every**
 *   change (beyond Hono: Hono keeps them on an UPDATE that leaves the tenant enabled without
 *   `invalidate-cache-on-update`, so a removed trusted CA would stay trusted); on DELETE also
 *   drop all its Registration and Credentials entries.
 * - `device-change-v1`: drop the Registration entries that name the device as device, gateway
 *   or `via` member (beyond Hono for gateway and `via`), and its Credentials entries on every
 *   change (beyond Hono: only on DELETE or UPDATE to disabled).
 * - `credentials-change-v1`: drop the device's Credentials entries.
 * - `all-devices-of-tenant-deleted-v1`: drop all Registration and Credentials entries of the
 *   tenant.
 *
 * Credentials entries are found by the `device-id` of the cached reply. Error replies are never
 * cached (unlike Hono's 404s), so nothing is needed on CREATE.
 */
export class RegistryCache {
  /** Tenant API replies. */
  readonly tenants: ResponseCache<TenantObject>;
  /** Registration API replies. */
  readonly registrations: ResponseCache<RegistrationAssertion>;
  /** Credentials API replies (status 200 only). */
  readonly credentials: ResponseCache<CredentialsResult>;

  /**
   * @param options applied to each of the three caches.
   * @throws RangeError for invalid options (see {@link ResponseCache}).
   */
  constructor(options: ResponseCacheOptions = {}) {
    this.tenants = new ResponseCache({ name: 'tenant', ...options });
    this.registrations = new ResponseCache({ name: 'registration', ...options });
    this.credentials = new ResponseCache({ name: 'credentials', ...options });
  }

  /** Drops what `notification` makes stale (see the class documentation for the rules). */
  onNotification(notification: RegistryNotification): void {
    const tenant = tenantTag(notification['tenant-id']);
    switch (notification.type) {
      case RegistryNotificationType.TENANT_CHANGE:
        this.tenants.invalidate(tenant);
        if (notification.change === 'DELETE') this.dropTenantDevices(tenant);
        break;
      case RegistryNotificationType.DEVICE_CHANGE:
      case RegistryNotificationType.CREDENTIALS_CHANGE: {
        const device = deviceTag(notification['tenant-id'], notification['device-id']);
        if (notification.type === RegistryNotificationType.DEVICE_CHANGE) {
          this.registrations.invalidate(device);
        }
        this.credentials.invalidate(device);
        break;
      }
      case RegistryNotificationType.ALL_DEVICES_OF_TENANT_DELETED:
        this.dropTenantDevices(tenant);
        break;
    }
  }

  /**
   * Applies a notification message as received from `hono.notification.registry-tenant` or
   * `hono.notification.registry-device` (Kafka, AMQP or in-process).
   *
   * @returns `true` if it was a registry notification and has been applied; `false` if it was
   *   ignored (empty, not JSON, unknown type or invalid members). Never throws.
   */
  handleNotificationMessage(message: Message): boolean {
    const notification = parseRegistryNotification(message);
    if (notification === undefined) return false;
    this.onNotification(notification);
    return true;
  }

  /** Drops every entry of every cache. */
  clear(): void {
    this.tenants.clear();
    this.registrations.clear();
    this.credentials.clear();
  }

  /** The counters of the three caches. */
  stats(): RegistryCacheStats {
    return {
      tenant: this.tenants.stats(),
      registration: this.registrations.stats(),
      credentials: this.credentials.stats(),
    };
  }

  private dropTenantDevices(tenant: string): void {
    this.registrations.invalidate(tenant);
    this.credentials.invalidate(tenant);
  }
}
