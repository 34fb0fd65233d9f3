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
  it('addresses stored member names: no token reads as an operator or as two steps', () => {
    expect(mongoPath('document', '/$where')).toBe('document.%24where');
    expect(mongoPath('document', '/ext/a.b')).toBe('document.ext.a%2Eb');
    expect(mongoPath('document', '/')).toBe('document.%');
    expect(mongoPath('document', '/ext/x~1y/0')).toBe('document.ext.x/y.0');
  });
});
