import { buildMongoSearch, mongoPath } from './mongo-search';

describe(buildMongoSearch.name, () => {
  it('translates wildcards to anchored regexes and typed values to $eq', () => {
    const sut = buildMongoSearch(
      'document',
      [
        { field: '/ext/brand', value: 'ac.me*', op: 'eq' },
        { field: '/enabled', value: false, op: 'eq' },
      ],
      [{ field: '/ext/n', direction: 'desc' }],
    );
    expect(sut.filter).toEqual({
      $and: [
        { 'document.ext.brand': { $regex: '^ac\\.me.*$', $options: 's' } },
        { 'document.enabled': { $eq: false } },
      ],
    });
    expect(sut.sort).toEqual({ 'document.ext.n': -1, _id: 1 });
  });
});

describe(mongoPath.name, () => {
  it('refuses operator-like and dotted tokens', () => {
    expect(() => mongoPath('document', '/$where')).toThrow(TypeError);
    expect(() => mongoPath('document', '/a.b')).toThrow(TypeError);
    expect(mongoPath('document', '/ext/x')).toBe('document.ext.x');
  });
});
