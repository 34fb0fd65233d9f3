import type { Document, Filter, Sort } from 'mongodb';

import {
  hasWildcard,
  parseJsonPointer,
  type SearchFilter,
  type SearchSort,
  wildcardToRegex,
} from '@tessera/persistence';

import { mongoFieldName } from './mongo-json.codec';

/**
 * The dotted path of a JSON pointer below `prefix`, in stored member names (see
 * `mongo-json.codec.ts`): no token can read as an operator or as more than one path step.
 */
export function mongoPath(prefix: string, pointer: string): string {
  return [prefix, ...parseJsonPointer(pointer).map(mongoFieldName)].join('.');
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
