import { canonical, credentialsKey, deviceTag, registrationKey } from './cache-keys';

describe(canonical.name, () => {
  it('sorts object members at every depth and keeps array order', () => {
    expect(JSON.stringify(canonical({ b: [{ z: 1, y: 2 }, 3], a: { d: 1, c: null } }))).toBe(
      '{"a":{"c":null,"d":1},"b":[{"y":2,"z":1},3]}',
    );
  });

  it('drops what JSON drops and honours toJSON', () => {
    expect(canonical({ a: undefined, b: () => 1, c: new Date(0) })).toEqual({
      c: '1970-01-01T00:00:00.000Z',
    });
  });
});

describe(credentialsKey.name, () => {
  it('is the same for equal client contexts in any member order', () => {
    expect(credentialsKey('t', 'psk', 'a', { x: 1, y: 2 })).toBe(
      credentialsKey('t', 'psk', 'a', { y: 2, x: 1 }),
    );
    expect(credentialsKey('t', 'psk', 'a', {})).toBe(
      credentialsKey('t', 'psk', 'a', { x: undefined }),
    );
    expect(credentialsKey('t', 'psk', 'a', { x: 1 })).not.toBe(
      credentialsKey('t', 'psk', 'a', { x: '1' }),
    );
  });
});

describe('key and tag separation', () => {
  it('does not let IDs with separators collide', () => {
    expect(deviceTag('t', 'a:b')).not.toBe(deviceTag('t:a', 'b'));
    expect(registrationKey('t', 'd', undefined)).not.toBe(registrationKey('t', 'd', 'null'));
    expect(registrationKey('t', 'd,g', undefined)).not.toBe(registrationKey('t', 'd', 'g'));
  });
});
