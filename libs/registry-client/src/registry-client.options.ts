import type { ResponseCache } from './caching/response-cache';

/** Options of a `RequestResponse*Client`. */
export interface RegistryClientOptions<R> {
  /**
   * How long (ms) to wait for each reply before failing with ServerError(503). Default: the
   * `RequestResponseClient`'s own timeout.
   */
  readonly timeoutMs?: number;
  /** Where to cache successful replies; without one every call is a request. */
  readonly cache?: ResponseCache<R>;
}
