import { ServerError } from '@tessera/registry-api';

/** What the device and credentials services need to know about a tenant. */
export interface TenantSummary {
  readonly enabled: boolean;
  /** `registration-limits.max-devices`; undefined or -1 means unlimited. */
  readonly maxDevices?: number | undefined;
  /** `registration-limits.max-credentials-per-device`; undefined or -1 means unlimited. */
  readonly maxCredentialsPerDevice?: number | undefined;
  /** The tenant JSON as the tenant service returns it (defaults, trusted CAs, ext …). */
  readonly tenant: Record<string, unknown>;
}

/**
 * Looks tenants up across the service boundary: the device and credentials services never read the
 * tenant service's store (ARCHITECTURE.md, guarantee 3). In embedded mode the tenant module answers
 * in-process; distributed, {@link HttpTenantDirectory} asks the tenant service.
 */
export abstract class TenantDirectory {
  /** The tenant, or undefined if it does not exist. Rejects with ServerError(503) if it cannot tell. */
  abstract get(tenantId: string): Promise<TenantSummary | undefined>;
}

/**
 * Remembers tenants that exist for a moment: every Registration `assert` and Credentials `get`
 * checks its tenant, and that lookup would otherwise double the database (or HTTP) round trips
 * on the adapters' hot path. Only found tenants are kept (a new tenant is usable at once); a
 * change is seen after at most `ttlMs`, at once where the writer calls {@link forget}.
 */
export class TenantSummaryCache {
  private readonly entries = new Map<string, { summary: TenantSummary; until: number }>();

  constructor(
    private readonly ttlMs = 1_000,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  async get(
    tenantId: string,
    load: () => Promise<TenantSummary | undefined>,
  ): Promise<TenantSummary | undefined> {
    const hit = this.entries.get(tenantId);
    if (hit && hit.until > this.now()) return hit.summary;
    const summary = await load();
    if (summary === undefined) {
      this.entries.delete(tenantId);
      return undefined;
    }
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(tenantId, { summary, until: this.now() + this.ttlMs });
    return summary;
  }

  forget(tenantId: string): void {
    this.entries.delete(tenantId);
  }
}

/** What the credentials service needs to know about a device. */
export interface DeviceSummary {
  /** When this incarnation of the device was created (`status.created`). */
  readonly created: Date;
}

/** Looks devices up across the service boundary (for the credentials service). */
export abstract class DeviceDirectory {
  /** The device, or undefined if it does not exist. Rejects with ServerError(503) if it cannot tell. */
  abstract find(tenantId: string, deviceId: string): Promise<DeviceSummary | undefined>;

  /** Whether the device exists. Rejects with ServerError(503) if it cannot tell. */
  async exists(tenantId: string, deviceId: string): Promise<boolean> {
    return (await this.find(tenantId, deviceId)) !== undefined;
  }
}

/** The summary of a management-API device object. */
export function summarizeDevice(device: Record<string, unknown>): DeviceSummary {
  const status = (device['status'] ?? {}) as Record<string, unknown>;
  const created =
    typeof status['created'] === 'string' ? Date.parse(status['created']) : Number.NaN;
  return { created: new Date(Number.isNaN(created) ? 0 : created) };
}

/** Where another registry service's management API is and how to authenticate to it. */
export interface ServiceEndpoint {
  readonly url: string;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  readonly timeoutMs?: number;
}

async function getJson(
  endpoint: ServiceEndpoint,
  path: string,
): Promise<{ status: number; body: unknown }> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (endpoint.username !== undefined) {
    const token = Buffer.from(`${endpoint.username}:${endpoint.password ?? ''}`).toString('base64');
    headers['authorization'] = `Basic ${token}`;
  }
  let response: Response;
  try {
    response = await fetch(new URL(path, endpoint.url), {
      headers,
      signal: AbortSignal.timeout(endpoint.timeoutMs ?? 5_000),
    });
  } catch (cause) {
    throw new ServerError(
      503,
      'REGISTRY.UNAVAILABLE',
      `registry service at ${endpoint.url} unreachable`,
      { cause },
    );
  }
  const text = await response.text();
  if (response.status >= 500 || response.status === 401 || response.status === 403) {
    throw new ServerError(
      503,
      'REGISTRY.UNAVAILABLE',
      `registry service at ${endpoint.url} answered ${String(response.status)}`,
    );
  }
  return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

function limit(value: unknown): number | undefined {
  return typeof value === 'number' && value >= 0 ? value : undefined;
}

/** Summarises a management-API tenant object. */
export function summarizeTenant(tenant: Record<string, unknown>): TenantSummary {
  const limits = (tenant['registration-limits'] ?? {}) as Record<string, unknown>;
  return {
    enabled: tenant['enabled'] !== false,
    maxDevices: limit(limits['max-devices']),
    maxCredentialsPerDevice: limit(limits['max-credentials-per-device']),
    tenant,
  };
}

/** Asks the tenant service's management API (`GET /v1/tenants/{id}`). */
export class HttpTenantDirectory extends TenantDirectory {
  private readonly cache = new TenantSummaryCache();

  constructor(private readonly endpoint: ServiceEndpoint) {
    super();
  }

  get(tenantId: string): Promise<TenantSummary | undefined> {
    return this.cache.get(tenantId, () => this.fetch(tenantId));
  }

  private async fetch(tenantId: string): Promise<TenantSummary | undefined> {
    const { status, body } = await getJson(
      this.endpoint,
      `/v1/tenants/${encodeURIComponent(tenantId)}`,
    );
    if (status === 404) return undefined;
    if (status !== 200 || typeof body !== 'object' || body === null) {
      throw new ServerError(
        503,
        'REGISTRY.UNEXPECTED',
        `tenant service answered ${String(status)}`,
      );
    }
    return summarizeTenant(body as Record<string, unknown>);
  }
}

/** Asks the device registration service's management API (`GET /v1/devices/{tenant}/{id}`). */
export class HttpDeviceDirectory extends DeviceDirectory {
  constructor(private readonly endpoint: ServiceEndpoint) {
    super();
  }

  async find(tenantId: string, deviceId: string): Promise<DeviceSummary | undefined> {
    const { status, body } = await getJson(
      this.endpoint,
      `/v1/devices/${encodeURIComponent(tenantId)}/${encodeURIComponent(deviceId)}`,
    );
    if (status === 404) return undefined;
    if (status !== 200 || typeof body !== 'object' || body === null) {
      throw new ServerError(
        503,
        'REGISTRY.UNEXPECTED',
        `device service answered ${String(status)}`,
      );
    }
    return summarizeDevice(body as Record<string, unknown>);
  }
}
