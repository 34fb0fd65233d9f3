import { formatCacheDirective, maxAge, NO_CACHE, parseCacheDirective } from './cache-directive';

describe(parseCacheDirective.name, () => {
  it.each([
    ['max-age=180', maxAge(180)],
    ['max-age = 0', maxAge(0)],
    ['MAX-AGE=60', maxAge(60)],
    ['no-cache', NO_CACHE],
    [' No-Cache ', NO_CACHE],
  ])('parses %j', (value, expected) => {
    expect(parseCacheDirective(value)).toEqual(expected);
  });

  it.each([undefined, '', 'max-age=', 'max-age=-1', 'no-store', 'private, max-age=10'])(
    'does not understand %j',
    (value) => {
      expect(parseCacheDirective(value)).toBeUndefined();
    },
  );
});

describe(formatCacheDirective.name, () => {
  it('round-trips', () => {
    expect(formatCacheDirective(maxAge(300))).toBe('max-age=300');
    expect(formatCacheDirective(NO_CACHE)).toBe('no-cache');
    expect(parseCacheDirective(formatCacheDirective(maxAge(300)))).toEqual(maxAge(300));
  });
});

describe(maxAge.name, () => {
  it('rejects negative and fractional ages', () => {
    expect(() => maxAge(-1)).toThrow(RangeError);
    expect(() => maxAge(1.5)).toThrow(RangeError);
  });
});
