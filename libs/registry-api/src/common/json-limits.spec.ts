import { MAX_JSON_DEPTH, unstorableJsonReason } from './json-limits';

const nested = (levels: number, kind: 'array' | 'object'): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < levels; i++) value = kind === 'array' ? [value] : { a: value };
  return value;
};

describe(unstorableJsonReason.name, () => {
  it('accepts ordinary documents, including non-ASCII text and surrogate pairs', () => {
    expect(
      unstorableJsonReason({
        enabled: true,
        ext: { 'ü-日本': ['😀', 1.5, null, { 'a.b': '$x' }], n: -0 },
      }),
    ).toBeUndefined();
    expect(unstorableJsonReason(null)).toBeUndefined();
    expect(unstorableJsonReason('text')).toBeUndefined();
  });

  it(`refuses nesting deeper than ${String(MAX_JSON_DEPTH)} levels, however deep`, () => {
    expect(unstorableJsonReason(nested(MAX_JSON_DEPTH, 'object'))).toBeUndefined();
    expect(unstorableJsonReason(nested(MAX_JSON_DEPTH, 'array'))).toBeUndefined();
    expect(unstorableJsonReason(nested(MAX_JSON_DEPTH + 1, 'array'))).toMatch(
      new RegExp(`^/(0/)+0: nested deeper than ${String(MAX_JSON_DEPTH)} levels$`),
    );
    // JSON.parse builds 100,000 levels; the check must not recurse on them.
    const deep: unknown = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    expect(unstorableJsonReason({ ext: { deep } })).toMatch(/nested deeper/);
  });

  it('refuses U+0000 and unpaired surrogates in values and member names', () => {
    expect(unstorableJsonReason({ ext: { name: 'a\u0000b' } })).toBe('/ext/name: contains U+0000');
    expect(unstorableJsonReason({ ext: { 'a\u0000': 1 } })).toBe(
      '/ext/a\u0000: member name contains U+0000',
    );
    expect(unstorableJsonReason(['ok', '\ud800'])).toBe(
      '/1: contains an unpaired UTF-16 surrogate',
    );
    expect(unstorableJsonReason({ 'x/y': { '~': 'lone \udfff' } })).toBe(
      '/x~1y/~0: contains an unpaired UTF-16 surrogate',
    );
    expect(unstorableJsonReason('\ud83d')).toBe('/: contains an unpaired UTF-16 surrogate');
  });

  it('refuses numbers beyond the range of a double (JSON.parse makes them Infinity)', () => {
    const body: unknown = JSON.parse('{"ext":{"a":[1, -1e999]}}');
    expect(unstorableJsonReason(body)).toBe('/ext/a/1: number out of range');
    expect(unstorableJsonReason({ ext: { max: Number.MAX_VALUE, tiny: 5e-324 } })).toBeUndefined();
  });

  it('refuses members named __proto__, which JavaScript copies drop or turn into prototypes', () => {
    const body: unknown = JSON.parse('{"ext":{"ok":[{"__proto__":{"admin":true}}]}}');
    expect(unstorableJsonReason(body)).toBe(
      '/ext/ok/0/__proto__: member name __proto__ is not accepted',
    );
    expect(
      unstorableJsonReason({ ext: { constructor: { prototype: 1 }, proto: 1 } }),
    ).toBeUndefined();
  });
});
