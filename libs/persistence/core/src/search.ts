/** A JSON value as stored in a registry document. */
export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
/** A JSON object: the stored form of a tenant, device or credentials set (Hono's kebab-case members). */
export type JsonObject = { [key: string]: JsonValue };

/**
 * One `filterJson` condition of Hono's search API: `field` is a JSON pointer into the stored
 * document (`/ext/brand`); a string `value` may contain `*` (any run) and `?` (one character).
 */
export interface SearchFilter {
  readonly field: string;
  readonly value: string | number | boolean;
  readonly op: 'eq';
}

/** One `sortJson` key. */
export interface SearchSort {
  readonly field: string;
  readonly direction: 'asc' | 'desc';
}

/** A search: all filters must match; results sorted by the keys in order, then by id. */
export interface SearchQuery {
  readonly filters: readonly SearchFilter[];
  readonly sort: readonly SearchSort[];
  readonly pageSize: number;
  readonly pageOffset: number;
}

/** One page of a search, with the total number of matches. */
export interface Page<T> {
  readonly total: number;
  readonly result: readonly T[];
}

/**
 * Splits a JSON pointer (RFC 6901) into its reference tokens.
 * @throws TypeError if `pointer` is not empty and does not start with `/`.
 */
export function parseJsonPointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new TypeError(`not a JSON pointer: ${pointer}`);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Whether `value` contains a search wildcard. */
export function hasWildcard(value: string): boolean {
  return value.includes('*') || value.includes('?');
}

/** An anchored regular expression source for a wildcard pattern, other characters escaped. */
export function wildcardToRegex(pattern: string): string {
  const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  return `^${escaped.replace(/\*/g, '.*').replace(/\?/g, '.')}$`;
}

/** An SQL LIKE pattern for a wildcard pattern, with `\` as the escape character. */
export function wildcardToLike(pattern: string): string {
  return pattern
    .replace(/[\\%_]/g, '\\$&')
    .replace(/\*/g, '%')
    .replace(/\?/g, '_');
}

/** Reads the value at a JSON pointer, or undefined. */
export function valueAt(document: JsonValue, pointer: string): JsonValue | undefined {
  let current: JsonValue | undefined = document;
  for (const token of parseJsonPointer(pointer)) {
    if (current === null || typeof current !== 'object') return undefined;
    current = Array.isArray(current) ? current[Number(token)] : current[token];
  }
  return current;
}

/** Whether a document matches a filter (the in-memory reference semantics both stores follow). */
export function matchesFilter(document: JsonValue, filter: SearchFilter): boolean {
  const actual = valueAt(document, filter.field);
  if (typeof filter.value === 'string') {
    if (typeof actual !== 'string') return false;
    return hasWildcard(filter.value)
      ? new RegExp(wildcardToRegex(filter.value), 's').test(actual)
      : actual === filter.value;
  }
  return actual === filter.value;
}
