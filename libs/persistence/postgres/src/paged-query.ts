import type { DataSource } from 'typeorm';

import type { Page } from '@tessera/persistence';

/**
 * One page of `SELECT columns FROM table WHERE where ORDER BY orderBy` and the number of all matches,
 * in one round trip (a window count); only an empty page (beyond the end, or pageSize 0) needs a
 * second query for the count. `params` are the positional parameters of `where`.
 */
// R names the row shape the caller's mapper expects; the query result is asserted to it.
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
export async function pagedQuery<R, T>(
  dataSource: DataSource,
  sql: {
    readonly columns: string;
    readonly table: string;
    readonly where: string;
    readonly orderBy: string;
  },
  params: readonly unknown[],
  page: { readonly pageSize: number; readonly pageOffset: number },
  toDomain: (row: R) => T,
): Promise<Page<T>> {
  const n = params.length;
  const rows = await dataSource.query<(R & { total?: string })[]>(
    `SELECT ${sql.columns}, count(*) OVER () AS total FROM ${sql.table} WHERE ${sql.where}
       ORDER BY ${sql.orderBy} LIMIT $${String(n + 1)} OFFSET $${String(n + 2)}`,
    [...params, page.pageSize, page.pageOffset],
  );
  const first = rows[0];
  if (first !== undefined) return { total: Number(first.total ?? 0), result: rows.map(toDomain) };
  if (page.pageOffset === 0 && page.pageSize > 0) return { total: 0, result: [] };
  // The ORDER BY stays: `params` also holds its parameters (sort paths), and PostgreSQL refuses a
  // statement that is given parameters it does not use.
  const [count] = await dataSource.query<{ total: string }[]>(
    `SELECT count(*) AS total FROM
       (SELECT 1 FROM ${sql.table} WHERE ${sql.where} ORDER BY ${sql.orderBy}) AS matches`,
    [...params],
  );
  return { total: Number(count?.total ?? 0), result: [] };
}
