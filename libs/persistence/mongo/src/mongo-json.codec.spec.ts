import {
  fromMongoDocument,
  jsonFieldName,
  mongoFieldName,
  toMongoDocument,
} from './mongo-json.codec';

describe('mongo JSON codec', () => {
  it('escapes the member names MongoDB reads as paths or operators, and nothing else', () => {
    expect(mongoFieldName('brand')).toBe('brand');
    expect(mongoFieldName('a$b')).toBe('a$b');
    expect(mongoFieldName('com.example.x')).toBe('com%2Eexample%2Ex');
    expect(mongoFieldName('$where')).toBe('%24where');
    expect(mongoFieldName('50%')).toBe('50%25');
    expect(mongoFieldName('')).toBe('%');
    expect(mongoFieldName('a\u0000')).toBe('a%00');
    for (const name of [
      'brand',
      'a.b',
      '$x',
      '$',
      '.',
      '%',
      '%24',
      '%2E',
      '',
      ' ',
      '__proto__',
      '%5B',
    ]) {
      expect(jsonFieldName(mongoFieldName(name))).toBe(name);
    }
  });

  it('stores nested arrays wrapped, and round-trips any document', () => {
    const document = JSON.parse(
      JSON.stringify({
        enabled: true,
        ext: {
          'a.b': { $gt: 1, '': [[1, [2, []]], { '%5B': [3] }] },
          '%5B': [[{ 'x.y': null }]],
          '50%': 'ü',
        },
      }),
    ) as Record<string, never>;
    const stored = toMongoDocument(document);
    expect(stored).toEqual({
      enabled: true,
      ext: {
        'a%2Eb': {
          '%24gt': 1,
          '%': [{ '%5B': [1, { '%5B': [2, { '%5B': [] }] }] }, { '%255B': [3] }],
        },
        '%255B': [{ '%5B': [{ 'x%2Ey': null }] }],
        '50%25': 'ü',
      },
    });
    expect(fromMongoDocument(stored)).toEqual(document);
  });

  it('keeps a member named __proto__ a member', () => {
    const document = JSON.parse('{"ext":{"__proto__":{"polluted":true}}}') as Record<string, never>;
    const back = fromMongoDocument(toMongoDocument(document));
    expect(JSON.stringify(back)).toBe('{"ext":{"__proto__":{"polluted":true}}}');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
