import {
  hasWildcard,
  parseJsonPointer,
  type SearchFilter,
  type SearchSort,
  wildcardToLike,
} from '@tessera/persistence';

/** A WHERE clause and ORDER BY built from Hono search filters, with positional parameters. */
export interface SqlSearch {
  readonly where: string;
  readonly orderBy: string;
  readonly params: unknown[];
}

/**
 * Translates filters and sort keys into jsonb path expressions on `column`; every user value is a
 * bound parameter (paths included), so nothing the caller sends becomes SQL text.
 */
export function buildJsonbSearch(
  column: string,
  filters: readonly SearchFilter[],
  sort: readonly SearchSort[],
  params: unknown[] = [],
): SqlSearch {
  const bind = (v: unknown): string => {
    params.push(v);
    return `$${String(params.length)}`;
  };
  const clauses = filters.map((f) => {
    const path = bind(parseJsonPointer(f.field));
    if (typeof f.value === 'string') {
      return hasWildcard(f.value)
        ? `(${column} #>> ${path}::text[]) LIKE ${bind(wildcardToLike(f.value))}`
        : `(${column} #>> ${path}::text[]) = ${bind(f.value)} AND jsonb_typeof(${column} #> ${path}::text[]) = 'string'`;
    }
    return `(${column} #> ${path}::text[]) = ${bind(JSON.stringify(f.value))}::jsonb`;
  });
  // Missing values sort first ascending and last descending, as MongoDB sorts them.
  const order = sort.map(
    (s) =>
      `(${column} #> ${bind(parseJsonPointer(s.field))}::text[]) ${s.direction === 'desc' ? 'DESC NULLS LAST' : 'ASC NULLS FIRST'}`,
  );
  return {
    where: clauses.length > 0 ? clauses.join(' AND ') : 'TRUE',
    orderBy: [...order, 'id ASC'].join(', '),
    params,
  };
}
