/**
 * The cache directive of a registry reply (`cache_control` application property, Hono
 * `CacheDirective`): `max-age=<seconds>` or `no-cache`. Clients that cache replies must obey it;
 * Hono's clients cap `max-age` at their own maximum (600 s by default).
 */
export type CacheDirective =
  { readonly kind: 'max-age'; readonly maxAgeSeconds: number } | { readonly kind: 'no-cache' };

/** Default `max-age` of Tenant API replies (Hono MongoDB registry: 180 s). */
export const DEFAULT_TENANT_MAX_AGE_SECONDS = 180;
/** Default `max-age` of Registration API replies (Hono: 300 s). */
export const DEFAULT_REGISTRATION_MAX_AGE_SECONDS = 300;
/** Default `max-age` of cacheable Credentials API replies (Hono MongoDB registry: 180 s). */
export const DEFAULT_CREDENTIALS_MAX_AGE_SECONDS = 180;

const MAX_AGE = /^max-age\s*=\s*(\d+)$/;

/**
 * A directive allowing caching for a number of seconds.
 *
 * @param seconds a non-negative integer.
 * @throws RangeError if `seconds` is negative or not an integer.
 */
export function maxAge(seconds: number): CacheDirective {
  if (!Number.isInteger(seconds) || seconds < 0) {
    throw new RangeError(`max-age must be a non-negative integer, got ${String(seconds)}`);
  }
  return { kind: 'max-age', maxAgeSeconds: seconds };
}

/** The directive forbidding caching (e.g. `psk` and `rpk` credentials replies). */
export const NO_CACHE: CacheDirective = { kind: 'no-cache' };

/**
 * Formats a directive for the `cache_control` application property.
 *
 * @returns e.g. `max-age=180` or `no-cache`.
 */
export function formatCacheDirective(directive: CacheDirective): string {
  return directive.kind === 'no-cache' ? 'no-cache' : `max-age=${directive.maxAgeSeconds}`;
}

/**
 * Parses a `cache_control` value (case-insensitive, whitespace around `=` allowed).
 *
 * @param value the property value; `undefined` when the reply has none.
 * @returns the directive, or `undefined` when `value` is absent or not understood (the reply is
 *   then not cached).
 */
export function parseCacheDirective(value: string | undefined): CacheDirective | undefined {
  if (value === undefined) return undefined;
  const normalised = value.trim().toLowerCase();
  if (normalised === 'no-cache') return NO_CACHE;
  const match = MAX_AGE.exec(normalised);
  return match?.[1] === undefined ? undefined : maxAge(Number(match[1]));
}
