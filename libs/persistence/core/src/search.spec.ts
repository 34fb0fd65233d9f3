import {
  matchesFilter,
  parseJsonPointer,
  valueAt,
  wildcardToLike,
  wildcardToRegex,
} from './search';

describe(parseJsonPointer.name, () => {
  it('decodes escaped tokens', () => {
    expect(parseJsonPointer('/a~1b/c~0d')).toEqual(['a/b', 'c~d']);
    expect(parseJsonPointer('')).toEqual([]);
  });

  it('rejects a pointer without leading slash', () => {
    expect(() => parseJsonPointer('ext/brand')).toThrow(TypeError);
  });
});

describe('wildcards', () => {
  it('escapes regex metacharacters', () => {
    expect(new RegExp(wildcardToRegex('a.b*')).test('a.bcd')).toBe(true);
    expect(new RegExp(wildcardToRegex('a.b*')).test('axbcd')).toBe(false);
    expect(new RegExp(wildcardToRegex('d?v')).test('dev')).toBe(true);
  });

  it('escapes LIKE metacharacters', () => {
    expect(wildcardToLike('50%_off*')).toBe('50\\%\\_off%');
  });
});

describe(matchesFilter.name, () => {
  const doc = { ext: { brand: 'acme', n: 3 }, enabled: true };

  it('matches exact, wildcard and typed values', () => {
    expect(matchesFilter(doc, { field: '/ext/brand', value: 'acme', op: 'eq' })).toBe(true);
    expect(matchesFilter(doc, { field: '/ext/brand', value: 'ac*', op: 'eq' })).toBe(true);
    expect(matchesFilter(doc, { field: '/ext/brand', value: 'ac', op: 'eq' })).toBe(false);
    expect(matchesFilter(doc, { field: '/ext/n', value: 3, op: 'eq' })).toBe(true);
    expect(matchesFilter(doc, { field: '/enabled', value: true, op: 'eq' })).toBe(true);
    expect(matchesFilter(doc, { field: '/missing', value: 'x', op: 'eq' })).toBe(false);
    expect(valueAt(doc, '/ext/n')).toBe(3);
  });
});
