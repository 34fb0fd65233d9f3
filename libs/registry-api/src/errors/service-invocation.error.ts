/**
 * Hono's status-coded error model (ServiceInvocationException and its subclasses).
 *
 * Services throw these; each edge (HTTP filter, AMQP reply, Kafka consumer) translates `status`
 * into its own transport's terms. Nothing in the core throws transport exceptions.
 */
export abstract class ServiceInvocationError extends Error {
  /**
   * @param status an HTTP-style status code in 400–599; anything else is a programming error and throws.
   * @param code a namespaced, stable machine-readable code such as `TENANT.NOT_FOUND`.
   * @param message a human-readable message safe to return to the caller (no secrets).
   * @param options.tenantId the tenant the failed operation concerned, where known.
   * @param options.retryable whether repeating the same request may succeed (e.g. 503).
   */
  protected constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly options: { tenantId?: string; retryable?: boolean; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    if (!Number.isInteger(status) || status < 400 || status > 599) {
      throw new RangeError(`status must be an error code in 400–599, got ${String(status)}`);
    }
    this.name = new.target.name;
  }

  /** Whether repeating the same request may succeed. Defaults to true for 5xx except 501. */
  get retryable(): boolean {
    return this.options.retryable ?? (this.status >= 500 && this.status !== 501);
  }

  /** The tenant the failed operation concerned, where known. */
  get tenantId(): string | undefined {
    return this.options.tenantId;
  }
}

/** A request the caller got wrong (4xx): repeating it unchanged will fail again. */
export class ClientError extends ServiceInvocationError {
  /** @throws RangeError if `status` is not in 400–499. */
  constructor(
    status: number,
    code: string,
    message: string,
    options?: { tenantId?: string; cause?: unknown },
  ) {
    super(status, code, message, { ...options, retryable: false });
    if (status >= 500) {
      throw new RangeError(`a ClientError needs a 4xx status, got ${String(status)}`);
    }
  }
}

/** The service could not fulfil a valid request (5xx). */
export class ServerError extends ServiceInvocationError {
  /** @throws RangeError if `status` is not in 500–599. */
  constructor(
    status: number,
    code: string,
    message: string,
    options?: { tenantId?: string; retryable?: boolean; cause?: unknown },
  ) {
    super(status, code, message, options);
    if (status < 500) {
      throw new RangeError(`a ServerError needs a 5xx status, got ${String(status)}`);
    }
  }
}

/** The resource exists already, or its version changed since it was read (409, or 412 for If-Match). */
export class ResourceConflictError extends ClientError {
  /** @param status 409 (duplicate id, alias, auth-id, subject DN) or 412 (resource version mismatch). */
  constructor(
    code: string,
    message: string,
    options?: { tenantId?: string; cause?: unknown; status?: 409 | 412 },
  ) {
    super(options?.status ?? 409, code, message, options);
  }
}

/** The resource does not exist, or the caller may not learn that it does (404). */
export class NotFoundError extends ClientError {
  constructor(code: string, message: string, options?: { tenantId?: string; cause?: unknown }) {
    super(404, code, message, options);
  }
}
