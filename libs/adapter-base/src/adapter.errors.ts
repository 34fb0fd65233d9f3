import {
  ClientError,
  isServiceInvocationError,
  ServerError,
  type ServiceInvocationError,
} from '@tessera/registry-api';
import { MessagingError } from '@tessera/messaging';

/*
 * The errors a protocol adapter answers devices with, Hono's status codes. Each adapter maps the
 * status to its own protocol at its edge (HTTP status, MQTT CONNACK code or disconnect).
 */

/** Error code of {@link tenantConnectionsExceeded}. */
export const TENANT_CONNECTIONS_EXCEEDED = 'TENANT.CONNECTIONS_EXCEEDED';
/** Error code of {@link connectionRateExceeded}. */
export const CONNECTION_RATE_EXCEEDED = 'TENANT.CONNECTION_RATE_EXCEEDED';
/** Error code of {@link adapterConnectionsExceeded}. */
export const ADAPTER_CONNECTIONS_EXCEEDED = 'ADAPTER.CONNECTIONS_EXCEEDED';
/** Error code of the data-volume refusal (429) of the upload pipeline. */
export const DATA_VOLUME_EXCEEDED = 'TENANT.DATA_VOLUME_EXCEEDED';

/** 401: the device could not be authenticated. One message for every cause, as in Hono. */
export function unauthorized(): ClientError {
  return new ClientError(401, 'DEVICE.UNAUTHORIZED', 'bad credentials');
}

/** 400: the request itself is malformed. */
export function badRequest(message: string): ClientError {
  return new ClientError(400, 'REQUEST.MALFORMED', message);
}

/** 403: the device may not do this (tenant or adapter disabled, another tenant, gateway not allowed). */
export function forbidden(code: string, message: string): ClientError {
  return new ClientError(403, code, message);
}

/** 413: the payload exceeds the adapter's limit. */
export function payloadTooLarge(limit: number): ClientError {
  return new ClientError(413, 'PAYLOAD.TOO_LARGE', `payload exceeds ${String(limit)} bytes`);
}

/**
 * 403: the tenant has as many connections as its `resource-limits.max-connections` allows (Hono's
 * `TenantConnectionsExceededException`).
 */
export function tenantConnectionsExceeded(tenantId: string): ClientError {
  return new ClientError(
    403,
    TENANT_CONNECTIONS_EXCEEDED,
    'the tenant’s connection limit is reached',
    { tenantId },
  );
}

/**
 * 429: connection attempts for one tenant come faster than the adapter takes them. The tenant is
 * only claimed (not authenticated yet), so the error does not name it.
 */
export function connectionRateExceeded(): ClientError {
  return new ClientError(429, CONNECTION_RATE_EXCEEDED, 'too many connection attempts');
}

/**
 * 503: this adapter instance holds as many connections as it may (Hono's
 * `AdapterConnectionsExceededException`); another instance may take the device.
 */
export function adapterConnectionsExceeded(): ServerError {
  return new ServerError(
    503,
    ADAPTER_CONNECTIONS_EXCEEDED,
    'the adapter’s connection limit is reached',
    { retryable: true },
  );
}

/** 503: the registry or the downstream broker cannot take the request now. */
export function unavailable(message: string, cause?: unknown): ServerError {
  return new ServerError(503, 'SERVICE.UNAVAILABLE', message, { retryable: true, cause });
}

/**
 * Normalises anything thrown on an adapter's path to a status-coded error: ServiceInvocationErrors
 * pass, transport errors become 503, anything else a 500 without internals.
 */
export function toAdapterError(error: unknown): ServiceInvocationError {
  if (isServiceInvocationError(error)) return error;
  if (error instanceof MessagingError) return unavailable('downstream unavailable', error);
  return new ServerError(500, 'INTERNAL', 'internal error', { retryable: false, cause: error });
}
