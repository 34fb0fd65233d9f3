import {
  ClientError,
  NotFoundError,
  ResourceConflictError,
  ServerError,
  ServiceInvocationError,
} from './service-invocation.error';

/**
 * Builds the matching error for a status code received from a peer (Hono's StatusCodeMapper).
 *
 * @param status the status of a reply; a 2xx/3xx or out-of-range value yields a 500 ServerError,
 *   because a caller only asks when the reply was not a success.
 * @param detail the peer's error message, if it sent one.
 * @returns the most specific ServiceInvocationError for `status`.
 */
export function errorFromStatus(status: number, detail?: string): ServiceInvocationError {
  const message = detail ?? `request failed with status ${String(status)}`;
  if (status === 404) return new NotFoundError('REMOTE.NOT_FOUND', message);
  if (status === 409 || status === 412) {
    return new ResourceConflictError('REMOTE.CONFLICT', message, { status });
  }
  if (status >= 400 && status < 500) return new ClientError(status, 'REMOTE.CLIENT_ERROR', message);
  if (status >= 500 && status < 600) return new ServerError(status, 'REMOTE.SERVER_ERROR', message);
  return new ServerError(500, 'REMOTE.UNEXPECTED_STATUS', message);
}

/** Whether `value` is one of the project's status-coded errors. */
export function isServiceInvocationError(value: unknown): value is ServiceInvocationError {
  return value instanceof ServiceInvocationError;
}
