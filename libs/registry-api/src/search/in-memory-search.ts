import type { FilterJson, SortJson } from './search.schema';

/*
 * Search semantics of the management API for implementations that filter in memory (test doubles,
 * small registries). Persistence adapters translate the same rules into queries; the regular
 * expression from `wildcardToRegExp` is the one Hono's MongoDB registry uses.
 */

/**
 * Resolves an RFC 6901 JSON pointer against a JSON value.
 *
 * @param document the value to look into.
 * @param pointer a pointer such as `/ext/brand`; `''` designates the whole document.
 * @returns the value at `pointer`, or `undefined` if there is none.
 */
export function resolveJsonPointer(document: unknown, pointer: string): unknown {
  if (pointer === '') return document;
  let current: unknown = document;
  for (const raw of pointer.slice(1).split('/')) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(current)) {
      if (!/^(0|[1-9]\d*)$/.test(token)) return undefined;
      current = current[Number(token)] as unknown;
    } else if (typeof current === 'object' && current !== null) {
      if (!Object.prototype.hasOwnProperty.call(current, token)) return undefined;
      current = (current as Record<string, unknown>)[token];
    } else {
      return undefined;
    }
  }
  return current;
}

/**
 * Builds the anchored, case-sensitive regular expression for a filter string: `*` matches any
 * number of characters, `?` exactly one, everything else itself.
 *
 * @param pattern the filter value, e.g. `eclipse*`.
 * @returns a regular expression matching whole strings.
 */
export function wildcardToRegExp(pattern: string): RegExp {
  const source = pattern.replace(/[\\^$.*+?()[\]{}|/]/g, (char) => {
    if (char === '*') return '.*';
    if (char === '?') return '.';
    return `\\${char}`;
  });
  return new RegExp(`^${source}$`, 'su');
}

/**
 * Checks a string against a filter value with wildcards (`*`: zero or more characters, `?`:
 * exactly one character). The comparison is case-sensitive.
 *
 * @param pattern the filter value.
 * @param value the value of the field.
 * @returns whether `value` matches `pattern` as a whole.
 */
export function matchesWildcard(pattern: string, value: string): boolean {
  return wildcardToRegExp(pattern).test(value);
}

/**
 * Checks a JSON document against one filter: a string filter matches string fields (with
 * wildcards), a number or boolean filter matches an equal number or boolean field. A missing
 * field never matches.
 *
 * @param document the document, e.g. a `TenantWithId` or `DeviceWithId`.
 * @param filter the parsed filter.
 * @returns whether the document matches.
 */
export function matchesFilter(document: unknown, filter: FilterJson): boolean {
  const actual = resolveJsonPointer(document, filter.field);
  if (typeof filter.value === 'string') {
    return typeof actual === 'string' && matchesWildcard(filter.value, actual);
  }
  return actual === filter.value;
}

/**
 * Checks a JSON document against all filters (an empty list matches everything).
 *
 * @param document the document.
 * @param filters the parsed `filterJson` parameters.
 * @returns whether the document matches every filter.
 */
export function matchesFilters(document: unknown, filters: readonly FilterJson[]): boolean {
  return filters.every((filter) => matchesFilter(document, filter));
}

function rank(value: unknown): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'boolean') return 1;
  if (typeof value === 'number') return 2;
  if (typeof value === 'string') return 3;
  return 4;
}

function compareValues(a: unknown, b: unknown): number {
  const byRank = rank(a) - rank(b);
  if (byRank !== 0) return byRank;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return 0;
}

/**
 * Builds a comparator that orders documents by the sort options, applied in order. Missing
 * values sort first (ascending), then booleans, numbers and strings.
 *
 * @param sorts the parsed `sortJson` parameters.
 * @returns a comparator for `Array.prototype.sort`.
 */
export function compareBySortOptions(
  sorts: readonly SortJson[],
): (a: unknown, b: unknown) => number {
  return (a, b) => {
    for (const sort of sorts) {
      const result = compareValues(
        resolveJsonPointer(a, sort.field),
        resolveJsonPointer(b, sort.field),
      );
      if (result !== 0) return sort.direction === 'desc' ? -result : result;
    }
    return 0;
  };
}
