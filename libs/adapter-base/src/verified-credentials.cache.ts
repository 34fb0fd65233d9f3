import { hash, randomBytes } from 'node:crypto';

import { type RegistryNotification, RegistryNotificationType } from '@tessera/registry-api';

/** Options of a {@link VerifiedCredentialsCache}. */
export interface VerifiedCredentialsCacheOptions {
  /** How long a verified password is trusted without a new hash check (ms). */
  readonly ttlMs: number;
  /** At most this many entries; the least recently used go first. Default 100,000. */
  readonly maxEntries?: number;
  /** The clock, for tests. */
  readonly now?: () => number;
}

interface Entry {
  readonly tenantId: string;
  readonly deviceId: string;
  /** The stored hash the password was checked against: a changed secret never matches. */
  readonly pwdHash: string;
  readonly expiresAt: number;
}

/**
 * Remembers passwords that passed a hash check, so that a device's next connection or request
 * costs a keyed hash instead of a bcrypt verification (about 50–65 ms of CPU each).
 *
 * Why this keeps Hono's security:
 * - Entries are keyed by SHA-256 over a random 256-bit key that never leaves the process followed
 *   by (tenant, auth-id, password): neither passwords nor reusable hashes of them are held. The
 *   digests never leave the process either, so HMAC's guard against length extension would buy
 *   nothing here; it cost four times as much per request (2.8 µs against 0.7).
 * - A hit is used only together with a fresh credentials lookup (itself cached within the
 *   registry's `max-age`) that still contains an enabled, currently valid secret with the very
 *   hash the password was verified against; changed, disabled or expired secrets miss.
 * - Entries expire after `ttlMs` (keep it within the credentials `max-age`, Hono's 180 s) and are
 *   dropped on every registry notification about the tenant, the device or its credentials.
 */
export class VerifiedCredentialsCache {
  private readonly key = randomBytes(32).toString('base64');
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(private readonly options: VerifiedCredentialsCacheOptions) {
    if (!(options.ttlMs >= 0)) throw new RangeError('ttlMs must be ≥ 0');
    this.maxEntries = options.maxEntries ?? 100_000;
    this.now = options.now ?? Date.now;
  }

  /** The cache key of a (tenant, auth-id, password) triple. */
  keyOf(tenantId: string, authId: string, password: string): string {
    // Tenant ids cannot hold NUL; the auth-id's length makes where the password starts unambiguous.
    return hash(
      'sha256',
      `${this.key}${tenantId}\0${String(authId.length)}:${authId}${password}`,
      'base64',
    );
  }

  /**
   * The device whose password was verified against `pwdHash` under `key`, if still trusted.
   * @param pwdHash one of the hashes of the credentials just looked up.
   */
  get(key: string, pwdHashes: readonly string[]): string | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.now() || !pwdHashes.includes(entry.pwdHash)) {
      this.entries.delete(key);
      return undefined;
    }
    // Refresh the LRU position.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.deviceId;
  }

  /**
   * Records a successful verification.
   * @param notAfter the end of the secret's validity window (ms), if it has one.
   */
  put(
    key: string,
    entry: { tenantId: string; deviceId: string; pwdHash: string; notAfter?: number },
  ): void {
    if (this.options.ttlMs === 0) return;
    const expiresAt = Math.min(this.now() + this.options.ttlMs, entry.notAfter ?? Infinity);
    this.entries.delete(key);
    this.entries.set(key, {
      tenantId: entry.tenantId,
      deviceId: entry.deviceId,
      pwdHash: entry.pwdHash,
      expiresAt,
    });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  /** Drops every entry of a device (or, without `deviceId`, of a tenant). */
  invalidate(tenantId: string, deviceId?: string): void {
    for (const [key, entry] of this.entries) {
      if (entry.tenantId === tenantId && (deviceId === undefined || entry.deviceId === deviceId)) {
        this.entries.delete(key);
      }
    }
  }

  /** Applies a registry change notification: any change to a tenant, device or its credentials. */
  onNotification(notification: RegistryNotification): void {
    switch (notification.type) {
      case RegistryNotificationType.TENANT_CHANGE:
      case RegistryNotificationType.ALL_DEVICES_OF_TENANT_DELETED:
        this.invalidate(notification['tenant-id']);
        break;
      case RegistryNotificationType.DEVICE_CHANGE:
      case RegistryNotificationType.CREDENTIALS_CHANGE:
        this.invalidate(notification['tenant-id'], notification['device-id']);
        break;
    }
  }

  /** The number of entries (expired ones included until touched). */
  get size(): number {
    return this.entries.size;
  }
}
