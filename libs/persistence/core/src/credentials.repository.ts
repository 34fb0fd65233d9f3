import type { NewOutboxMessage, OutboxMessage, OutboxReader } from './outbox';
import type { JsonObject } from './search';

/** The identity of one credential: unique per tenant (Hono: `type` + `auth-id`). */
export interface CredentialKey {
  readonly type: string;
  readonly authId: string;
}

/** All credentials of one device, as stored (secrets hashed, never plain passwords). */
export interface StoredCredentials {
  readonly tenantId: string;
  readonly deviceId: string;
  readonly version: string;
  /** Hono's credentials JSON objects, each with its `type`, `auth-id` and `secrets`. */
  readonly credentials: readonly JsonObject[];
  /**
   * When the incarnation of the device the set was written for was created (a device deleted and
   * created again is a new one), in milliseconds; absent for sets written without it (before it
   * was recorded).
   */
  readonly deviceCreated?: Date;
}

/** The credentials store port; one record per device, replaced as a whole. */
export abstract class CredentialsRepository implements OutboxReader {
  /**
   * Replaces (or creates) the device's credentials set.
   * @param keys the (type, auth-id) of every credential in `credentials`.
   * @param deviceCreated the creation time of the device incarnation the set is for (stored with
   *   it, at millisecond precision; none given: none stored).
   * @returns the new resource version.
   * @throws ResourceConflictError (409) if another device of the tenant holds one of `keys`,
   *   (412) on a version mismatch. Nothing is written then.
   */
  abstract replace(
    tenantId: string,
    deviceId: string,
    credentials: readonly JsonObject[],
    keys: readonly CredentialKey[],
    expectedVersion: string | undefined,
    outbox: readonly NewOutboxMessage[],
    deviceCreated?: Date,
  ): Promise<string>;

  /** The device's credentials, or undefined if none were ever stored. */
  abstract findByDevice(tenantId: string, deviceId: string): Promise<StoredCredentials | undefined>;

  /** The credentials set holding the credential (type, auth-id), or undefined (Credentials API `get`). */
  abstract findByKey(tenantId: string, key: CredentialKey): Promise<StoredCredentials | undefined>;

  /**
   * Removes the device's credentials (no error if there are none).
   * @param expectedVersion if given, only the set of this version goes: nothing happens (and no
   *   outbox message is stored) when the device has no set, or one of another version.
   */
  abstract deleteForDevice(
    tenantId: string,
    deviceId: string,
    outbox: readonly NewOutboxMessage[],
    expectedVersion?: string,
  ): Promise<void>;

  /** Removes the credentials of every device of the tenant. */
  abstract deleteAllOfTenant(tenantId: string, outbox: readonly NewOutboxMessage[]): Promise<void>;

  abstract pendingNotifications(limit: number): Promise<OutboxMessage[]>;
  abstract acknowledgeNotifications(ids: readonly string[]): Promise<void>;
  abstract close(): Promise<void>;
}
