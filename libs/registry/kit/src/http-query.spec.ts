import type { Request } from 'express';

import { expectedVersion, locationOf, rawQuery, toSearchQuery } from './http-query';

const request = (parts: Partial<Request>): Request => parts as Request;

describe(toSearchQuery.name, () => {
  it('reads pageOffset as a page number, as Hono does', () => {
    const query = toSearchQuery({
      pageSize: 10,
      pageOffset: 3,
      filterJson: [{ field: '/ext/brand', op: 'eq', value: 'a*' }],
      sortJson: [{ field: '/ext/n', direction: 'desc' }],
    });
    expect(query).toEqual({
      filters: [{ field: '/ext/brand', op: 'eq', value: 'a*' }],
      sort: [{ field: '/ext/n', direction: 'desc' }],
      pageSize: 10,
      pageOffset: 30,
    });
  });
});

describe(rawQuery.name, () => {
  it('keeps strings and repeated parameters', () => {
    const raw = rawQuery(request({ query: { pageSize: '5', filterJson: ['{"a":1}', '{"b":2}'] } }));
    expect(raw).toEqual({ pageSize: '5', filterJson: ['{"a":1}', '{"b":2}'] });
  });

  it('rejects nested parameters with 400', () => {
    expect(() => rawQuery(request({ query: { filterJson: { field: 'x' } } }))).toThrow(
      expect.objectContaining({ status: 400 }) as Error,
    );
  });
});

describe(locationOf.name, () => {
  it('encodes every id segment', () => {
    expect(locationOf('/v1/devices', 'tenant.1', 'dev:1=a')).toBe(
      '/v1/devices/tenant.1/dev%3A1%3Da',
    );
  });
});

describe(expectedVersion.name, () => {
  it('accepts Hono’s bare versions and quoted ones; * means none', () => {
    const withHeader = (value: string | undefined) =>
      expectedVersion(request({ headers: value === undefined ? {} : { 'if-match': value } }));
    expect(withHeader('abc')).toBe('abc');
    expect(withHeader('"abc"')).toBe('abc');
    expect(withHeader('*')).toBeUndefined();
    expect(withHeader(undefined)).toBeUndefined();
  });
});
