import { formatEtag, parseIfMatch, ResourceVersionSchema } from './resource-version';

describe(parseIfMatch.name, () => {
  it.each([
    ['abc-123', 'abc-123'],
    ['"abc-123"', 'abc-123'],
    ['W/"abc-123"', 'abc-123'],
    ['  abc-123 ', 'abc-123'],
  ])('reads %j as %j', (header, expected) => {
    expect(parseIfMatch(header)).toBe(expected);
  });

  it.each([undefined, '', '*', '""'])('treats %j as unconditional', (header) => {
    expect(parseIfMatch(header)).toBeUndefined();
  });
});

describe(formatEtag.name, () => {
  it('writes the version unquoted, like Hono', () => {
    expect(formatEtag(ResourceVersionSchema.parse('3f6a'))).toBe('3f6a');
  });
});

describe('ResourceVersionSchema', () => {
  it('rejects an empty version', () => {
    expect(ResourceVersionSchema.safeParse('').success).toBe(false);
  });
});
