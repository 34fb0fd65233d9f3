import { issuePaths } from '../testing/issue-paths';
import {
  FilterJsonSchema,
  JsonPointerSchema,
  SearchDevicesQuerySchema,
  SearchTenantsQuerySchema,
  SortJsonSchema,
} from './search.schema';

describe('SearchTenantsQuerySchema', () => {
  const sut = SearchTenantsQuerySchema;

  it('applies the defaults to an empty query', () => {
    expect(sut.parse({})).toEqual({ pageSize: 30, pageOffset: 0, filterJson: [], sortJson: [] });
  });

  it('parses paging, one filter and repeated sort options from query strings', () => {
    const query = {
      pageSize: '10',
      pageOffset: '20',
      filterJson: '{"field": "/ext/brand", "value": "eclipse*"}',
      sortJson: ['{"field":"/ext/brand"}', '{"field":"/status/created","direction":"desc"}'],
      unrelated: 'ignored',
    };
    expect(sut.parse(query)).toEqual({
      pageSize: 10,
      pageOffset: 20,
      filterJson: [{ field: '/ext/brand', op: 'eq', value: 'eclipse*' }],
      sortJson: [
        { field: '/ext/brand', direction: 'asc' },
        { field: '/status/created', direction: 'desc' },
      ],
    });
  });

  it('parses repeated filters of every value type', () => {
    const parsed = sut.parse({
      filterJson: [
        '{"field": "/enabled","value": true}',
        '{"field": "/ext/count","value": 15, "op": "eq"}',
      ],
    });
    expect(parsed.filterJson).toEqual([
      { field: '/enabled', op: 'eq', value: true },
      { field: '/ext/count', op: 'eq', value: 15 },
    ]);
  });

  it('accepts the page size limits', () => {
    expect(sut.parse({ pageSize: '0' }).pageSize).toBe(0);
    expect(sut.parse({ pageSize: '200' }).pageSize).toBe(200);
  });

  it.each([
    ['page size above 200', { pageSize: '201' }, 'pageSize'],
    ['negative page size', { pageSize: '-1' }, 'pageSize'],
    ['non-numeric page size', { pageSize: 'ten' }, 'pageSize'],
    ['negative page offset', { pageOffset: '-5' }, 'pageOffset'],
    ['malformed filter JSON', { filterJson: '{field:' }, 'filterJson/0'],
    ['filter without value', { filterJson: '{"field":"/enabled"}' }, 'filterJson/0/value'],
    [
      'filter with unknown op',
      { filterJson: '{"field":"/a","value":1,"op":"gt"}' },
      'filterJson/0/op',
    ],
    [
      'filter with unknown member',
      { filterJson: '{"field":"/a","value":1,"x":1}' },
      'filterJson/0/x',
    ],
    [
      'filter on a non-pointer',
      { filterJson: '{"field":"enabled","value":true}' },
      'filterJson/0/field',
    ],
    ['filter with object value', { filterJson: '{"field":"/a","value":{}}' }, 'filterJson/0/value'],
    [
      'sort with bad direction',
      { sortJson: '{"field":"/a","direction":"up"}' },
      'sortJson/0/direction',
    ],
    ['second sort malformed', { sortJson: ['{"field":"/a"}', '[]'] }, 'sortJson/1'],
    // No stored text holds these; PostgreSQL refuses U+0000 even as a query parameter.
    [
      'filter on a field with U+0000',
      { filterJson: '{"field":"/\\u0000","value":1}' },
      'filterJson/0/field',
    ],
    [
      'filter on a U+0000 value',
      { filterJson: '{"field":"/a","value":"\\u0000"}' },
      'filterJson/0/value',
    ],
    [
      'filter on an unpaired surrogate',
      { filterJson: '{"field":"/a","value":"\\ud800"}' },
      'filterJson/0/value',
    ],
    ['sort on a field with U+0000', { sortJson: '{"field":"/a\\u0000"}' }, 'sortJson/0/field'],
  ])('rejects %s', (_name, query, path) => {
    const result = sut.safeParse(query);
    expect(result.success).toBe(false);
    expect(issuePaths(result)).toContain(path);
  });
});

describe('SearchDevicesQuerySchema', () => {
  const sut = SearchDevicesQuerySchema;

  it('parses isGateway', () => {
    expect(sut.parse({ isGateway: 'true' }).isGateway).toBe(true);
    expect(sut.parse({ isGateway: 'false' }).isGateway).toBe(false);
    expect(sut.parse({}).isGateway).toBeUndefined();
  });

  it('rejects other isGateway values', () => {
    expect(issuePaths(sut.safeParse({ isGateway: 'yes' }))).toContain('isGateway');
  });
});

describe('JsonPointerSchema', () => {
  it.each(['/enabled', '/ext/brand', '/a~1b', '/m~0n', '/', '/a/0'])('accepts %s', (pointer) => {
    expect(JsonPointerSchema.safeParse(pointer).success).toBe(true);
  });

  it.each(['', 'enabled', '/a~2', '/a~'])('rejects %j', (pointer) => {
    expect(JsonPointerSchema.safeParse(pointer).success).toBe(false);
  });
});

describe('FilterJsonSchema', () => {
  it('defaults op to eq', () => {
    expect(FilterJsonSchema.parse({ field: '/a', value: 'x' }).op).toBe('eq');
  });
});

describe('SortJsonSchema', () => {
  it('defaults direction to asc', () => {
    expect(SortJsonSchema.parse({ field: '/a' }).direction).toBe('asc');
  });
});
