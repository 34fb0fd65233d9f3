import { buildJsonbSearch } from './jsonb-search';

describe(buildJsonbSearch.name, () => {
  it('binds every user value as a parameter', () => {
    const sut = buildJsonbSearch(
      'document',
      [
        { field: '/ext/brand', value: "ac'me*", op: 'eq' },
        { field: '/enabled', value: true, op: 'eq' },
      ],
      [{ field: '/ext/n', direction: 'desc' }],
    );
    expect(sut.where).not.toContain('acme');
    expect(sut.where).toContain('LIKE $2');
    expect(sut.params).toEqual([['ext', 'brand'], "ac'me%", ['enabled'], 'true', ['ext', 'n']]);
    expect(sut.orderBy).toBe('(document #> $5::text[]) DESC NULLS LAST, id ASC');
  });

  it('matches all rows without filters', () => {
    expect(buildJsonbSearch('document', [], []).where).toBe('TRUE');
  });
});
