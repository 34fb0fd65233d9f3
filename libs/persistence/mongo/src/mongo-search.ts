import type { Document, Filter, Sort } from 'mongodb';

import {
  hasWildcard,
  parseJsonPointer,
  type SearchFilter,
  type SearchSort,
  wildcardToRegex,
} from '@tessera/persistence';

/** The dotted path of a JSON pointer below `prefix`; rejects tokens Mongo would read as operators. */
export function mongoPath(prefix: string, pointer: string): string {
  const tokens = parseJsonPointer(pointer);
  for (const t of tokens) {
    if (t === '' || t.startsWith('$') || t.includes('.') || t.includes('\0')) {
      throw new TypeError(`unsupported field in JSON pointer: ${pointer}`);
    }
  }
  return [prefix, ...tokens].join('.');
}

/** Hono search filters and sort keys as a Mongo query on the documents under `prefix`. */
export function buildMongoSearch<T extends Document = Document>(
  prefix: string,
  filters: readonly SearchFilter[],
  sort: readonly SearchSort[],
): { filter: Filter<T>; sort: Sort } {
  const clauses = filters.map((f): Filter<Document> => {
    const path = mongoPath(prefix, f.field);
    if (typeof f.value === 'string' && hasWildcard(f.value)) {
      return { [path]: { $regex: wildcardToRegex(f.value), $options: 's' } };
    }
    return { [path]: { $eq: f.value } };
  });
  const order: Record<string, 1 | -1> = {};
  for (const s of sort) order[mongoPath(prefix, s.field)] = s.direction === 'desc' ? -1 : 1;
  order['_id'] = 1;
  const filter = (clauses.length > 0 ? { $and: clauses } : {}) as Filter<T>;
  return { filter, sort: order };
}
