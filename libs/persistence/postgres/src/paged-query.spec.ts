import type { DataSource } from 'typeorm';

import { buildJsonbSearch } from './jsonb-search';
import { pagedQuery } from './paged-query';

/**
 * A DataSource that answers like PostgreSQL does to parameters: a statement must use each of the
 * parameters it is given (`bind message supplies 5 parameters, but prepared statement requires 4`).
 */
function strictDataSource(rows: unknown[][]): { dataSource: DataSource; statements: string[] } {
  const statements: string[] = [];
  const query = (sql: string, params: readonly unknown[]): Promise<unknown[]> => {
    statements.push(sql);
    const used = new Set([...sql.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
    const highest = Math.max(0, ...used);
    if (highest !== params.length || used.size !== params.length) {
      return Promise.reject(
        Object.assign(new Error(`bind message supplies ${String(params.length)} parameters`), {
          code: '08P01',
        }),
      );
    }
    return Promise.resolve(rows.shift() ?? []);
  };
  return { dataSource: { query } as unknown as DataSource, statements };
}

describe(pagedQuery.name, () => {
  const search = buildJsonbSearch(
    'document',
    [{ field: '/enabled', value: true, op: 'eq' }],
    [{ field: '/ext/n', direction: 'desc' }],
  );
  const sql = { columns: '*', table: 'tenant', where: search.where, orderBy: search.orderBy };

  it('returns a page and the total of all matches from one query', async () => {
    const { dataSource, statements } = strictDataSource([[{ id: 'a', total: '3' }]]);
    const page = await pagedQuery(
      dataSource,
      sql,
      search.params,
      { pageSize: 1, pageOffset: 0 },
      (r) => r,
    );
    expect(page).toEqual({ total: 3, result: [{ id: 'a', total: '3' }] });
    expect(statements).toHaveLength(1);
  });

  it('counts with every parameter of the search when the page is beyond the end (sorted search)', async () => {
    const { dataSource, statements } = strictDataSource([[], [{ total: '2' }]]);
    const page = await pagedQuery(
      dataSource,
      sql,
      search.params,
      { pageSize: 10, pageOffset: 30 },
      (r) => r,
    );
    expect(page).toEqual({ total: 2, result: [] });
    expect(statements).toHaveLength(2);
  });
});
