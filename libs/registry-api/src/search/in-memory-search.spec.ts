import {
  compareBySortOptions,
  matchesFilter,
  matchesFilters,
  matchesWildcard,
  resolveJsonPointer,
  wildcardToRegExp,
} from './in-memory-search';

describe(matchesWildcard.name, () => {
  it.each([
    ['eclipse*', 'eclipse', true],
    ['eclipse*', 'eclipse-hono', true],
    ['eclipse*', 'my-eclipse', false],
    ['*hono*', 'eclipse-hono-2', true],
    ['sensor?', 'sensor1', true],
    ['sensor?', 'sensor', false],
    ['sensor?', 'sensor12', false],
    ['a?c', 'a😀c', true],
    ['Eclipse', 'eclipse', false],
    ['exact', 'exact', true],
    ['*', '', true],
  ])('%j against %j is %s', (pattern, value, expected) => {
    expect(matchesWildcard(pattern, value)).toBe(expected);
  });

  it.each([
    ['a.b', 'axb'],
    ['(a)', 'a'],
    ['a+', 'aa'],
    ['[ab]', 'a'],
    ['a|b', 'a'],
    ['^a$', 'a'],
    ['a\\d', 'a1'],
  ])('treats regular expression syntax in %j literally', (pattern, value) => {
    expect(matchesWildcard(pattern, value)).toBe(false);
    expect(matchesWildcard(pattern, pattern)).toBe(true);
  });

  it('matches across line breaks', () => {
    expect(matchesWildcard('a*b', 'a\nb')).toBe(true);
  });
});

describe(wildcardToRegExp.name, () => {
  it('anchors the expression', () => {
    expect(wildcardToRegExp('ab*').source).toBe('^ab.*$');
  });
});

describe(resolveJsonPointer.name, () => {
  const document = {
    ext: { brand: 'eclipse', 'a/b': 1, 'm~n': 2, list: ['x', 'y'] },
    enabled: false,
  };

  it.each([
    ['', document],
    ['/enabled', false],
    ['/ext/brand', 'eclipse'],
    ['/ext/a~1b', 1],
    ['/ext/m~0n', 2],
    ['/ext/list/1', 'y'],
    ['/ext/list/2', undefined],
    ['/ext/list/01', undefined],
    ['/ext/missing', undefined],
    ['/enabled/x', undefined],
    ['/toString', undefined],
  ])('resolves %j', (pointer, expected) => {
    expect(resolveJsonPointer(document, pointer)).toEqual(expected);
  });
});

describe(matchesFilter.name, () => {
  const device = { id: 'sensor-1', enabled: true, ext: { count: 15, brand: 'eclipse-hono' } };

  it('matches strings with wildcards, numbers and booleans by equality', () => {
    expect(matchesFilter(device, { field: '/ext/brand', op: 'eq', value: 'eclipse*' })).toBe(true);
    expect(matchesFilter(device, { field: '/ext/count', op: 'eq', value: 15 })).toBe(true);
    expect(matchesFilter(device, { field: '/ext/count', op: 'eq', value: 16 })).toBe(false);
    expect(matchesFilter(device, { field: '/enabled', op: 'eq', value: true })).toBe(true);
  });

  it('does not convert types', () => {
    expect(matchesFilter(device, { field: '/ext/count', op: 'eq', value: '15' })).toBe(false);
    expect(matchesFilter(device, { field: '/enabled', op: 'eq', value: 'true' })).toBe(false);
  });

  it('never matches a missing field', () => {
    expect(matchesFilter(device, { field: '/ext/model', op: 'eq', value: '*' })).toBe(false);
  });
});

describe(matchesFilters.name, () => {
  it('requires all filters to match', () => {
    const doc = { a: 1, b: 'x' };
    expect(matchesFilters(doc, [])).toBe(true);
    expect(
      matchesFilters(doc, [
        { field: '/a', op: 'eq', value: 1 },
        { field: '/b', op: 'eq', value: 'x' },
      ]),
    ).toBe(true);
    expect(
      matchesFilters(doc, [
        { field: '/a', op: 'eq', value: 1 },
        { field: '/b', op: 'eq', value: 'y' },
      ]),
    ).toBe(false);
  });
});

describe(compareBySortOptions.name, () => {
  const docs = [
    { id: 'c', ext: { brand: 'b' } },
    { id: 'a', ext: { brand: 'a' } },
    { id: 'b', ext: { brand: 'b' } },
    { id: 'd' },
  ];

  it('sorts by the options in order', () => {
    const sut = compareBySortOptions([
      { field: '/ext/brand', direction: 'desc' },
      { field: '/id', direction: 'asc' },
    ]);
    expect([...docs].sort(sut).map((doc) => doc.id)).toEqual(['b', 'c', 'a', 'd']);
  });

  it('puts missing values first when ascending', () => {
    const sut = compareBySortOptions([{ field: '/ext/brand', direction: 'asc' }]);
    expect([...docs].sort(sut).map((doc) => doc.id)[0]).toBe('d');
  });

  it('keeps the order without sort options', () => {
    expect([...docs].sort(compareBySortOptions([])).map((doc) => doc.id)).toEqual([
      'c',
      'a',
      'b',
      'd',
    ]);
  });
});
