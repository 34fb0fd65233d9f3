import type { PropertyValue } from '@tessera/messaging';
import {
  DownstreamAddress,
  type DownstreamEndpoint,
  type Qos,
  type RegistrationAssertion,
  type TenantObject,
  UNLIMITED,
} from '@tessera/registry-api';
import type { RegistrationClient, TenantClient } from '@tessera/registry-client';

import { type Attributes, histogram, observedCounter } from '@tessera/telemetry';

import { badRequest, forbidden, payloadTooLarge, unauthorized } from './adapter.errors';
import type { AuthenticatedDevice } from './device-authenticator';
import { DataVolumeMeter } from './data-volume.meter';
import type { DownstreamMessaging } from './downstream';

/** Hono's content type of an empty notification ("the device is ready for commands"). */
export const EMPTY_NOTIFICATION_CONTENT_TYPE = 'application/vnd.eclipse-hono-empty-notification';
/** The content type of a message that does not name one. */
export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

/** One telemetry message or event a device (or a gateway for it) uploads. */
export interface UploadRequest {
  readonly endpoint: DownstreamEndpoint;
  /** 0 or 1; events are always sent with 1. */
  readonly qos: Qos;
  /** Who authenticated; `undefined` for an unauthenticated device (tenant allows it). */
  readonly authenticated: AuthenticatedDevice | undefined;
  /** The tenant the message is for: the authenticated tenant, or the one in the request. */
  readonly tenantId: string;
  /** The device the message is from: the authenticated device, or an edge device of a gateway. */
  readonly deviceId: string;
  readonly payload: Buffer;
  readonly contentType?: string | undefined;
  /** `hono-ttd`: how long (s) the device waits for a command. */
  readonly ttdSeconds?: number | undefined;
  /** `hono-ttl`: requested time to live (s), events. */
  readonly ttlSeconds?: number | undefined;
  /** The request URI or topic (`orig_address`). */
  readonly origAddress: string;
}

/** The outcome of an accepted upload. */
export interface UploadResult {
  readonly tenant: TenantObject;
  readonly assertion: RegistrationAssertion;
}

/** Options of a {@link MessageUploader}. */
export interface MessageUploaderOptions {
  /** Hono's adapter type, e.g. `hono-http`; also `orig_adapter`. */
  readonly adapterType: string;
  /** Largest payload accepted (bytes), Hono's `maxPayloadSize` (default 2048). */
  readonly maxPayloadBytes: number;
  /** How long an acknowledged send may take (ms). */
  readonly sendTimeoutMs?: number;
}

// Messages are counted per series in plain numbers and reported when metrics are collected: a
// synchronous counter hashed its five attributes on every message, the costliest metric work of
// a request.
const messageCounts = new Map<string, { readonly attributes: Attributes; total: number }>();

function countMessage(
  adapter: string,
  tenant: string,
  endpoint: DownstreamEndpoint,
  qos: Qos,
  outcome: string,
): void {
  const key = `${adapter}\n${tenant}\n${endpoint}\n${String(qos)}\n${outcome}`;
  const series = messageCounts.get(key);
  if (series !== undefined) {
    series.total++;
    return;
  }
  messageCounts.set(key, { attributes: { adapter, endpoint, qos, tenant, outcome }, total: 1 });
}

function reportMessages(report: (total: number, attributes: Attributes) => void): void {
  for (const { attributes, total } of messageCounts.values()) report(total, attributes);
}
const durations = histogram(
  'tessera.adapter.message.duration',
  'Time from a message reaching the pipeline to its forwarding (or refusal)',
  's',
);

/** Whether the tenant lets devices use this adapter type (Hono `TenantObject#isAdapterEnabled`). */
export function isAdapterEnabled(tenant: TenantObject, adapterType: string): boolean {
  if (!tenant.enabled) return false;
  const adapters = tenant.adapters;
  if (adapters === undefined || adapters.length === 0) return true;
  return adapters.some((a) => a.type === adapterType && a.enabled);
}

/** Whether devices must authenticate to this adapter type (default: yes). */
export function isAuthenticationRequired(tenant: TenantObject, adapterType: string): boolean {
  const entry = tenant.adapters?.find((a) => a.type === adapterType);
  return entry?.['device-authentication-required'] ?? true;
}

/**
 * Hono's downstream pipeline, shared by every adapter (`AbstractProtocolAdapterBase` and the
 * adapters' `doUploadMessage`): checks the message, asserts the device's registration (with the
 * gateway where one acts) while reading the tenant, and forwards the message to the tenant's
 * messaging system with Hono's properties.
 */
export class MessageUploader {
  private readonly volume = new DataVolumeMeter();

  constructor(
    private readonly tenants: TenantClient,
    private readonly registrations: RegistrationClient,
    private readonly downstream: DownstreamMessaging,
    private readonly options: MessageUploaderOptions,
  ) {
    observedCounter(
      'tessera.adapter.messages',
      'Telemetry and events uploaded by devices, by adapter, tenant, endpoint, QoS and outcome',
      reportMessages,
    );
  }

  /**
   * Checks and forwards one message.
   *
   * @throws ClientError 400 (malformed), 401 (authentication required), 403 (another tenant,
   *   tenant or adapter disabled, gateway not authorized), 404 (device unknown or disabled), 413
   *   (payload too large), 429 (the tenant's data volume is used up); ServerError 503 (registry or
   *   broker unavailable).
   */
  async upload(request: UploadRequest): Promise<UploadResult> {
    const started = process.hrtime.bigint();
    let outcome = 'forwarded';
    try {
      return await this.forward(request);
    } catch (error) {
      const status = (error as { status?: unknown }).status;
      outcome = typeof status === 'number' ? String(status) : 'error';
      throw error;
    } finally {
      // Literal attribute objects: spreading a shared one cost more than the rest of the metrics.
      const adapter = this.options.adapterType;
      const endpoint = request.endpoint;
      const qos = endpoint === 'event' ? 1 : request.qos;
      countMessage(adapter, request.tenantId, endpoint, qos, outcome);
      durations.record(Number(process.hrtime.bigint() - started) / 1e9, {
        adapter,
        endpoint,
        qos,
        outcome,
      });
    }
  }

  private async forward(request: UploadRequest): Promise<UploadResult> {
    checkContent(request);
    if (request.payload.length > this.options.maxPayloadBytes) {
      throw payloadTooLarge(this.options.maxPayloadBytes);
    }
    const principal = request.authenticated;
    if (principal !== undefined && principal.tenantId !== request.tenantId) {
      throw forbidden('TENANT.MISMATCH', 'a device may only send for its own tenant');
    }
    const gatewayId =
      principal !== undefined && principal.deviceId !== request.deviceId
        ? principal.deviceId
        : undefined;

    // Both lookups run at once; a tenant refusal wins over the device's, so the answer is stable.
    const [tenantResult, assertionResult] = await Promise.allSettled([
      this.tenants.get(request.tenantId).then((t) => {
        this.checkTenant(t, principal === undefined);
        return t;
      }),
      this.registrations.assertRegistration(request.tenantId, request.deviceId, gatewayId),
    ]);
    if (tenantResult.status === 'rejected') throw tenantResult.reason;
    if (assertionResult.status === 'rejected') throw assertionResult.reason;
    const tenant = tenantResult.value;
    const assertion = assertionResult.value;

    const dataVolume = tenant['resource-limits']?.['data-volume'];
    this.checkDataVolume(tenant, request.payload.length);

    const qos: Qos = request.endpoint === 'event' ? 1 : request.qos;
    const message = buildMessage(request, tenant, assertion, qos, this.options.adapterType);
    await this.downstream.send(
      tenant,
      DownstreamAddress.of(request.endpoint, tenant['tenant-id']),
      message,
      { awaitAck: qos === 1, timeoutMs: this.options.sendTimeoutMs },
    );
    this.volume.record(tenant['tenant-id'], dataVolume, request.payload.length);
    return { tenant, assertion };
  }

  /**
   * Whether the tenant's `resource-limits.data-volume` of this period still has room for `bytes`
   * more (as counted by this adapter instance). A connecting device is checked with 1 byte, as in
   * Hono's `checkConnectionLimit`.
   * @throws ClientError 429 `TENANT.DATA_VOLUME_EXCEEDED` otherwise.
   */
  checkDataVolume(tenant: TenantObject, bytes: number): void {
    this.volume.check(tenant['tenant-id'], tenant['resource-limits']?.['data-volume'], bytes);
  }

  /**
   * The tenant checks of a connection or request: enabled, this adapter enabled, and — for a
   * device that did not authenticate — authentication not required.
   * @throws ClientError 403 (disabled) or 401 (authentication required).
   */
  checkTenant(tenant: TenantObject, unauthenticated: boolean): void {
    if (!tenant.enabled) throw forbidden('TENANT.DISABLED', 'tenant is disabled');
    if (!isAdapterEnabled(tenant, this.options.adapterType)) {
      throw forbidden(
        'ADAPTER.DISABLED',
        `adapter ${this.options.adapterType} is disabled for the tenant`,
      );
    }
    if (unauthenticated && isAuthenticationRequired(tenant, this.options.adapterType)) {
      throw unauthorized();
    }
  }
}

function checkContent(request: UploadRequest): void {
  const empty = request.payload.length === 0;
  if (empty && request.contentType === undefined) {
    throw badRequest('a message without payload needs a content type');
  }
  if (!empty && request.contentType === EMPTY_NOTIFICATION_CONTENT_TYPE) {
    throw badRequest(`${EMPTY_NOTIFICATION_CONTENT_TYPE} must not have a payload`);
  }
  if (
    request.ttdSeconds !== undefined &&
    !(Number.isInteger(request.ttdSeconds) && request.ttdSeconds >= -1)
  ) {
    throw badRequest('hono-ttd must be an integer ≥ -1');
  }
  if (
    request.ttlSeconds !== undefined &&
    !(Number.isInteger(request.ttlSeconds) && request.ttlSeconds > 0)
  ) {
    throw badRequest('hono-ttl must be a positive integer');
  }
}

/** A tenant limit in seconds, `undefined` when absent or unlimited. */
function limit(value: number | undefined): number | undefined {
  return value === undefined || value === UNLIMITED ? undefined : value;
}

/**
 * Hono's effective TTL (s): the requested one, else the `ttl` default, capped by the tenant's
 * `max-ttl` (events) or `max-ttl-telemetry-qos0/1` (telemetry).
 */
function effectiveTtl(
  request: UploadRequest,
  qos: Qos,
  tenant: TenantObject,
  defaults: Readonly<Record<string, unknown>>,
): number | undefined {
  const fromDefaults = typeof defaults['ttl'] === 'number' ? defaults['ttl'] : undefined;
  const wanted = request.ttlSeconds ?? fromDefaults;
  const limits = tenant['resource-limits'];
  const max =
    request.endpoint === 'event'
      ? limit(limits?.['max-ttl'])
      : (limit(
          qos === 0 ? limits?.['max-ttl-telemetry-qos0'] : limits?.['max-ttl-telemetry-qos1'],
        ) ?? limit(limits?.['max-ttl']));
  if (wanted === undefined)
    return max === undefined || request.endpoint !== 'event' ? undefined : max;
  return max === undefined ? wanted : Math.min(wanted, max);
}

function buildMessage(
  request: UploadRequest,
  tenant: TenantObject,
  assertion: RegistrationAssertion,
  qos: Qos,
  adapterType: string,
): import('@tessera/messaging').Message {
  // Device defaults win over tenant defaults; explicit request values win over both (Hono).
  const defaults = mergedDefaults(tenant.defaults, assertion.defaults);
  const properties: Record<string, PropertyValue> = {};
  for (const name in defaults) {
    const value = defaults[name];
    if (name === 'ttl' || name === 'content-type') continue;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      properties[name] = value;
    }
  }
  properties['device_id'] = request.deviceId;
  properties['tenant_id'] = tenant['tenant-id'];
  properties['orig_adapter'] = adapterType;
  properties['orig_address'] = request.origAddress;
  properties['qos'] = qos;
  properties['creation-time'] = Date.now();
  if (request.ttdSeconds !== undefined) properties['ttd'] = request.ttdSeconds;
  const defaultContentType =
    typeof defaults['content-type'] === 'string' ? defaults['content-type'] : DEFAULT_CONTENT_TYPE;
  const ttl = effectiveTtl(request, qos, tenant, defaults);
  return {
    key: request.deviceId,
    body: request.payload,
    contentType: request.contentType ?? defaultContentType,
    properties,
    // Events are durable (Hono); QoS 1 telemetry is acknowledged but need not survive a broker restart.
    durable: request.endpoint === 'event',
    ttlMs: ttl === undefined ? undefined : ttl * 1000,
  };
}

const NO_DEFAULTS: Readonly<Record<string, unknown>> = Object.freeze({});

/** The device's defaults over the tenant's; no copy when either has none (the usual case). */
function mergedDefaults(
  tenant: Readonly<Record<string, unknown>> | undefined,
  device: Readonly<Record<string, unknown>> | undefined,
): Readonly<Record<string, unknown>> {
  if (tenant === undefined) return device ?? NO_DEFAULTS;
  if (device === undefined) return tenant;
  return { ...tenant, ...device };
}
