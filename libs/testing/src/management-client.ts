import type { OpenApiValidator } from './openapi';

/** One reply of the management API. */
export interface ApiReply {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
}

/** Options of one {@link ManagementApiClient.call}. */
export interface ApiCallOptions {
  /** JSON-encoded as the body. */
  readonly body?: unknown;
  /** Sent as is (takes precedence over `body`). */
  readonly raw?: string;
  /** Default application/json when there is a body; null sends none. */
  readonly contentType?: string | null;
  readonly headers?: Record<string, string>;
  /** Default: the client's credentials; null sends none. */
  readonly auth?: string | null;
  /** The status is one the OpenAPI file does not list for the operation (the body is still checked). */
  readonly undocumented?: boolean;
}

/** A test client for the management API that checks every `/v1` reply against Hono's OpenAPI file. */
export class ManagementApiClient {
  constructor(
    private readonly base: string,
    private readonly spec: OpenApiValidator,
    private readonly authorization?: string,
  ) {}

  /** Basic authorization header value. */
  static basic(user: string, password: string): string {
    return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  }

  async call(method: string, path: string, options: ApiCallOptions = {}): Promise<ApiReply> {
    const headers: Record<string, string> = { ...options.headers };
    const auth = options.auth === undefined ? this.authorization : options.auth;
    if (auth !== null && auth !== undefined) headers['authorization'] = auth;
    const payload =
      options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    if (payload !== undefined && options.contentType !== null) {
      headers['content-type'] = options.contentType ?? 'application/json';
    }
    const response = await fetch(`${this.base}${path}`, {
      method,
      headers,
      // Bytes, so that fetch adds no content type of its own.
      ...(payload === undefined ? {} : { body: new TextEncoder().encode(payload) }),
    });
    const text = await response.text();
    const json = response.headers.get('content-type')?.startsWith('application/json') === true;
    const body: unknown = text === '' ? undefined : json ? JSON.parse(text) : text;
    if (path.startsWith('/v1/')) {
      this.spec.assertResponse(method, path, response.status, body, {
        allowUndocumentedStatus: options.undocumented === true,
      });
    }
    return { status: response.status, headers: response.headers, body };
  }
}

/** Polls `probe` until it returns a value other than undefined, or gives up after `timeoutMs`. */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs = 10_000,
): Promise<T | undefined> {
  for (let waited = 0; waited <= timeoutMs; waited += 50) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return undefined;
}

/**
 * Runs `probe` until it resolves (assertions inside may throw), or rethrows its last error after
 * `timeoutMs`: for effects that take a moment to show (a record on a topic, a cache dropped).
 */
export async function untilPasses<T>(
  probe: () => Promise<T>,
  timeoutMs = 10_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await probe();
    } catch (error) {
      if (Date.now() >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}
