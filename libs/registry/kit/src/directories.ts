import { errorFromStatus, ServerError } from '@tessera/registry-api';

/** What the device and credentials services need to know about a tenant. */
export interface TenantSummary {
  readonly enabled: boolean;
  /** `registration-limits.max-devices`; undefined or -1 means unlimited. */
  readonly maxDevices?: number | undefined;
  /** `registration-limits.max-credentials-per-device`; undefined or -1 means unlimited. */
  readonly maxCredentialsPerDevice?: number | undefined;
  /** The tenant JSON as the tenant service returns it (defaults, trusted CAs, ext …). */
  readonly tenant: Record<string, unknown>;
  /**
   * When this incarnation of the tenant was created (a tenant deleted and created again is a new
   * one); undefined when the tenant service does not say.
   */
  readonly created?: Date | undefined;
}

/** Options of {@link TenantDirectory.get}. */
export interface TenantLookupOptions {
  /** Ask the store (or the tenant service) now, not what was remembered a moment ago. */
  readonly fresh?: boolean;
}

/**
 * The response header of `GET /v1/tenants/{id}` with the tenant's creation time (ISO 8601, UTC, in
 * milliseconds), for the other registry services; not part of Hono's API.
 */
export const TENANT_CREATED_HEADER = 'tessera-tenant-created';

/**
 * Looks tenants up across the service boundary: the device and credentials services never read the
 * tenant service's store (ARCHITECTURE.md, guarantee 3). In embedded mode the tenant module answers
 * in-process; distributed, {@link HttpTenantDirectory} asks the tenant service.
 */
export abstract class TenantDirectory {
  /** The tenant, or undefined if it does not exist. Rejects with ServerError(503) if it cannot tell. */
  abstract get(tenantId: string, options?: TenantLookupOptions): Promise<TenantSummary | undefined>;
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
  /**
   * When this incarnation of the device was created (a device deleted and created again is a new
   * one), in milliseconds as stored; `status.created`, in seconds, only from a device service that
   * does not send {@link DEVICE_CREATED_HEADER}.
   */
  readonly created: Date;
}

/**
 * The response header of `GET /v1/devices/{tenant}/{id}` with the device's creation time (ISO
 * 8601, UTC, in milliseconds; `status.created` has seconds only), for the credentials service to
 * tell a device from one created again under its id within the same second; not part of Hono's API.
 */
export const DEVICE_CREATED_HEADER = 'tessera-device-created';

/** What X.509 auto-provisioning asks of the device service. */
export interface AutoProvisionRequest {
  /** `["auto-provisioning-enabled"]` for a CA with `auto-provision-as-gateway`. */
  readonly authorities?: readonly string[];
  /** Hono's `ext.comment` of an auto-provisioned device. */
  readonly comment?: string;
}

/** The outcome of {@link DeviceDirectory.provision}. */
export interface AutoProvisionResult {
  /** This call created the device (false: it existed already). */
  readonly created: boolean;
  /** The device (now) carries `status.auto-provisioned`. */
  readonly autoProvisioned: boolean;
  /** When the device was created, in milliseconds; undefined if the device service does not say. */
  readonly deviceCreated?: Date | undefined;
}

/** Looks devices up across the service boundary (for the credentials service). */
export abstract class DeviceDirectory {
  /** The device, or undefined if it does not exist. Rejects with ServerError(503) if it cannot tell. */
  abstract find(tenantId: string, deviceId: string): Promise<DeviceSummary | undefined>;

  /**
   * Creates an auto-provisioned device (its notification not yet sent, delivered by the device
   * service), or reports the device that already has this id (a concurrent provisioning).
   * @throws ClientError 400 (invalid id), 403 (`max-devices` reached); NotFoundError 404 (tenant);
   *   ServerError 503 if the device service cannot be reached.
   */
  abstract provision(
    tenantId: string,
    deviceId: string,
    request: AutoProvisionRequest,
  ): Promise<AutoProvisionResult>;

  /** Deletes a device again (undoing a provisioning whose credentials could not be stored). */
  abstract remove(tenantId: string, deviceId: string): Promise<void>;

  /**
   * Asks the device service to deliver the device's provisioning notification if it is still
   * pending (Hono re-sends on the device's next credentials lookup). Never throws.
   */
  abstract announce(tenantId: string, deviceId: string): Promise<void>;

  /** Whether the device exists. Rejects with ServerError(503) if it cannot tell. */
  async exists(tenantId: string, deviceId: string): Promise<boolean> {
    return (await this.find(tenantId, deviceId)) !== undefined;
  }
}

/**
 * The summary of a management-API device object.
 * @param created when the device was created, if known more precisely than `status.created`.
 */
export function summarizeDevice(device: Record<string, unknown>, created?: Date): DeviceSummary {
  if (created !== undefined) return { created };
  const status = (device['status'] ?? {}) as Record<string, unknown>;
  const parsed = typeof status['created'] === 'string' ? Date.parse(status['created']) : Number.NaN;
  return { created: new Date(Number.isNaN(parsed) ? 0 : parsed) };
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
): Promise<{ status: number; body: unknown; headers: Headers }> {
  const reply = await callJson(endpoint, 'GET', path);
  // A read this service may not make is a misconfigured service user, not the caller's fault.
  if (reply.status === 403) {
    throw new ServerError(
      503,
      'REGISTRY.UNAVAILABLE',
      `registry service at ${endpoint.url} answered 403`,
    );
  }
  return reply;
}

async function callJson(
  endpoint: ServiceEndpoint,
  method: string,
  path: string,
  payload?: unknown,
): Promise<{ status: number; body: unknown; headers: Headers }> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (payload !== undefined) headers['content-type'] = 'application/json';
  if (endpoint.username !== undefined) {
    const token = Buffer.from(`${endpoint.username}:${endpoint.password ?? ''}`).toString('base64');
    headers['authorization'] = `Basic ${token}`;
  }
  let response: Response;
  try {
    response = await fetch(new URL(path, endpoint.url), {
      method,
      headers,
      ...(payload === undefined ? {} : { body: JSON.stringify(payload) }),
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
  if (response.status >= 500 || response.status === 401) {
    throw new ServerError(
      503,
      'REGISTRY.UNAVAILABLE',
      `registry service at ${endpoint.url} answered ${String(response.status)}`,
    );
  }
  let body: unknown;
  try {
    body = text === '' ? undefined : (JSON.parse(text) as unknown);
  } catch {
    body = text;
  }
  return { status: response.status, body, headers: response.headers };
}

function limit(value: unknown): number | undefined {
  return typeof value === 'number' && value >= 0 ? value : undefined;
}

/**
 * Summarises a management-API tenant object.
 * @param created when the tenant was created, if known.
 */
export function summarizeTenant(tenant: Record<string, unknown>, created?: Date): TenantSummary {
  const limits = (tenant['registration-limits'] ?? {}) as Record<string, unknown>;
  return {
    enabled: tenant['enabled'] !== false,
    maxDevices: limit(limits['max-devices']),
    maxCredentialsPerDevice: limit(limits['max-credentials-per-device']),
    tenant,
    created,
  };
}

/** Asks the tenant service's management API (`GET /v1/tenants/{id}`). */
export class HttpTenantDirectory extends TenantDirectory {
  private readonly cache = new TenantSummaryCache();

  constructor(private readonly endpoint: ServiceEndpoint) {
    super();
  }

  get(tenantId: string, options: TenantLookupOptions = {}): Promise<TenantSummary | undefined> {
    if (options.fresh === true) this.cache.forget(tenantId);
    return this.cache.get(tenantId, () => this.fetch(tenantId));
  }

  private async fetch(tenantId: string): Promise<TenantSummary | undefined> {
    const { status, body, headers } = await getJson(
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
    const created = Date.parse(headers.get(TENANT_CREATED_HEADER) ?? '');
    return summarizeTenant(
      body as Record<string, unknown>,
      Number.isNaN(created) ? undefined : new Date(created),
    );
  }
}

/** Asks the device registration service's management API (`GET /v1/devices/{tenant}/{id}`). */
export class HttpDeviceDirectory extends DeviceDirectory {
  constructor(private readonly endpoint: ServiceEndpoint) {
    super();
  }

  async find(tenantId: string, deviceId: string): Promise<DeviceSummary | undefined> {
    const { status, body, headers } = await getJson(
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
    const created = Date.parse(headers.get(DEVICE_CREATED_HEADER) ?? '');
    return summarizeDevice(
      body as Record<string, unknown>,
      Number.isNaN(created) ? undefined : new Date(created),
    );
  }

  async provision(
    tenantId: string,
    deviceId: string,
    request: AutoProvisionRequest,
  ): Promise<AutoProvisionResult> {
    const { status, body } = await callJson(
      this.endpoint,
      'POST',
      `${AUTO_PROVISIONING_PATH}/${encodeURIComponent(tenantId)}/${encodeURIComponent(deviceId)}`,
      request,
    );
    if (status === 200 || status === 201) {
      const result = (body ?? {}) as Record<string, unknown>;
      const created =
        typeof result['created'] === 'string' ? Date.parse(result['created']) : Number.NaN;
      return {
        created: status === 201,
        autoProvisioned: result['auto-provisioned'] === true,
        deviceCreated: Number.isNaN(created) ? undefined : new Date(created),
      };
    }
    const error = (body ?? {}) as Record<string, unknown>;
    throw errorFromStatus(status, typeof error['error'] === 'string' ? error['error'] : undefined);
  }

  async announce(tenantId: string, deviceId: string): Promise<void> {
    await callJson(
      this.endpoint,
      'POST',
      `${AUTO_PROVISIONING_PATH}/${encodeURIComponent(tenantId)}/${encodeURIComponent(deviceId)}/announcement`,
      {},
    ).catch(() => undefined);
  }

  async remove(tenantId: string, deviceId: string): Promise<void> {
    const { status } = await callJson(
      this.endpoint,
      'DELETE',
      `/v1/devices/${encodeURIComponent(tenantId)}/${encodeURIComponent(deviceId)}`,
    );
    if (status !== 204 && status !== 404) {
      throw new ServerError(
        503,
        'REGISTRY.UNEXPECTED',
        `device service answered ${String(status)}`,
      );
    }
  }
}

/**
 * The device service's route for auto-provisioned devices (service-to-service, behind the
 * management API's authentication): `POST {path}/{tenant}/{device}` answers 201 (created) or 200
 * (exists) with `{"auto-provisioned": boolean, "created": "<ISO 8601 in milliseconds>"}`.
 */
export const AUTO_PROVISIONING_PATH = '/internal/v1/auto-provisioned-devices';
