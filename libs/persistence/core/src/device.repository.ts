import type { NewOutboxMessage, OutboxMessage, OutboxReader } from './outbox';
import type { JsonObject, Page, SearchQuery } from './search';

/** The server-owned part of a device: Hono's `status` object, never written by a PUT. */
export interface DeviceStatus {
  readonly created: Date;
  readonly updated?: Date | undefined;
  readonly autoProvisioned: boolean;
  /** False until the provisioning notification of an auto-provisioned device was delivered. */
  readonly autoProvisioningNotificationSent: boolean;
}

/** A stored device: Hono's device JSON without `status`, plus the status and indexed keys. */
export interface StoredDevice {
  readonly tenantId: string;
  readonly id: string;
  readonly version: string;
  readonly document: JsonObject;
  readonly status: DeviceStatus;
  /** Gateway ids from `via` (normalised to an array by the service). */
  readonly via: readonly string[];
  /** Gateway group ids this device may be served by (`viaGroups`). */
  readonly viaGroups: readonly string[];
  /** Group ids this gateway belongs to (`memberOf`). */
  readonly memberOf: readonly string[];
}

/** What the service hands the store for a new or replaced device. */
export interface DeviceWrite {
  readonly document: JsonObject;
  readonly via: readonly string[];
  readonly viaGroups: readonly string[];
  readonly memberOf: readonly string[];
}

/** Options of {@link DeviceRepository.create}. */
export interface CreateDeviceOptions {
  /** Set for devices created by auto-provisioning; they start with notification-sent = false. */
  readonly autoProvisioned?: boolean;
}

/** Extra search criteria of Hono's device search. */
export interface DeviceSearchOptions {
  /** true: only gateways (devices some other device names in `via`); false: only non-gateways. */
  readonly isGateway?: boolean;
}

/**
 * The device store port. Every method is scoped to one tenant; every write is atomic together with
 * the outbox messages passed to it (also when the write fails, nothing of either is stored).
 */
export abstract class DeviceRepository implements OutboxReader {
  /**
   * @returns the new resource version.
   * @throws ResourceConflictError (409) if the id is taken in the tenant.
   */
  abstract create(
    tenantId: string,
    id: string,
    device: DeviceWrite,
    options: CreateDeviceOptions,
    outbox: readonly NewOutboxMessage[],
  ): Promise<string>;

  /** The device, or undefined. */
  abstract findById(tenantId: string, id: string): Promise<StoredDevice | undefined>;

  /**
   * Replaces the device document; the status keeps its server-owned flags (`created`,
   * `autoProvisioned`, `autoProvisioningNotificationSent`) and gets a new `updated`.
   * @throws NotFoundError (404); ResourceConflictError (412) on a version mismatch.
   */
  abstract update(
    tenantId: string,
    id: string,
    device: DeviceWrite,
    expectedVersion: string | undefined,
    outbox: readonly NewOutboxMessage[],
  ): Promise<string>;

  /**
   * Sets `autoProvisioningNotificationSent` to true if the device still has `version` (the relay's
   * compare-and-set after delivery). @returns false when the device changed or is gone.
   */
  abstract markNotificationSent(tenantId: string, id: string, version: string): Promise<boolean>;

  /** @throws NotFoundError (404); ResourceConflictError (412) on a version mismatch. */
  abstract delete(
    tenantId: string,
    id: string,
    expectedVersion: string | undefined,
    outbox: readonly NewOutboxMessage[],
  ): Promise<void>;

  /** Deletes every device of the tenant. @returns how many were deleted. */
  abstract deleteAllOfTenant(
    tenantId: string,
    outbox: readonly NewOutboxMessage[],
  ): Promise<number>;

  /** How many devices the tenant has (for `registration-limits.max-devices`). */
  abstract count(tenantId: string): Promise<number>;

  /** Devices of the tenant matching every filter, sorted, one page. */
  abstract search(
    tenantId: string,
    query: SearchQuery,
    options?: DeviceSearchOptions,
  ): Promise<Page<StoredDevice>>;

  /**
   * Ids of the tenant's devices that are members of any of `groups` (their `memberOf`), sorted: the
   * gateways a device's `viaGroups` admit (Hono's registration assertion resolves them into `via`).
   */
  abstract findGroupMembers(tenantId: string, groups: readonly string[]): Promise<string[]>;

  /** Auto-provisioned devices whose notification is not yet delivered (for the re-delivery relay). */
  abstract findUnnotified(limit: number): Promise<StoredDevice[]>;

  abstract pendingNotifications(limit: number): Promise<OutboxMessage[]>;
  abstract acknowledgeNotifications(ids: readonly string[]): Promise<void>;
  abstract close(): Promise<void>;
}
