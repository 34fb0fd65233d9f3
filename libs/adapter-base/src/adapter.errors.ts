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
