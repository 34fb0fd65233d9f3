import {
  CredentialsObjectSchema,
  GetCredentialsRequestSchema,
  matchesClientContext,
  splitGetCredentialsRequest,
} from './credentials-api.schema';

describe('GetCredentialsRequestSchema', () => {
  const sut = GetCredentialsRequestSchema;

  it('accepts type and auth-id with a client context', () => {
    const request = {
      type: 'x509-cert',
      'auth-id': 'CN=Device 4711,O=ACME',
      'client-certificate': 'Tk9UIEEgQ0VSVA==',
      'client-id': 'mqtt-4711',
    };
    expect(sut.parse(request)).toEqual(request);
  });

  it('accepts the lookup by device-id', () => {
    expect(sut.safeParse({ type: 'psk', 'device-id': '4711' }).success).toBe(true);
  });

  it.each([
    { 'auth-id': 'sensor1' },
    { type: 'psk' },
    { type: 'psk', 'auth-id': 'sensor1', 'device-id': '4711' },
    { type: 'PSK', 'auth-id': 'sensor1' },
    { type: 'x509-cert', 'auth-id': 'CN=a', 'client-certificate': 'not base64' },
  ])('rejects %j', (request) => {
    expect(sut.safeParse(request).success).toBe(false);
  });
});

describe(splitGetCredentialsRequest.name, () => {
  it('separates lookup keys from the client context', () => {
    const request = GetCredentialsRequestSchema.parse({
      type: 'x509-cert',
      'auth-id': 'CN=a',
      'client-certificate': 'Tk9U',
      'client-id': 'c1',
    });
    expect(splitGetCredentialsRequest(request)).toEqual({
      type: 'x509-cert',
      authId: 'CN=a',
      deviceId: undefined,
      clientContext: { 'client-certificate': 'Tk9U', 'client-id': 'c1' },
    });
  });
});

describe(matchesClientContext.name, () => {
  it.each([
    [{}, { 'client-id': 'c1' }, true],
    [{ 'client-id': 'c1' }, undefined, true],
    [{ 'client-id': 'c1' }, {}, true],
    [{ 'client-id': 'c1' }, { 'client-id': 'c1', other: 1 }, true],
    [{ 'client-id': 'c1', unknown: 'x' }, { 'client-id': 'c1' }, true],
    [{ 'client-id': 'c2' }, { 'client-id': 'c1' }, false],
    [{ 'client-id': null }, { 'client-id': 'c1' }, true],
    [{ n: 1 }, { n: '1' }, false],
    [{ o: { a: [1, 2] } }, { o: { a: [1, 2] } }, true],
    [{ o: { a: [1, 2] } }, { o: { a: [2, 1] } }, false],
  ])('context %j against ext %j is %s', (context, ext, expected) => {
    expect(matchesClientContext(context, ext)).toBe(expected);
  });
});

describe('CredentialsObjectSchema', () => {
  const sut = CredentialsObjectSchema;

  it('parses a reply with all secrets and extra members', () => {
    const reply = {
      'device-id': '4711',
      type: 'hashed-password',
      'auth-id': 'sensor1',
      enabled: true,
      secrets: [
        {
          'hash-function': 'sha-256',
          'pwd-hash': 'AQIDBAUGBwg=',
          salt: 'Mq7wFw==',
          'not-after': '2037-06-01T14:00:00+01:00',
        },
      ],
      ext: { 'client-id': 'c1' },
      comment: 'kept',
    };
    expect(sut.parse(reply)).toEqual(reply);
  });

  it('requires device-id and at least one secret', () => {
    expect(sut.safeParse({ type: 'psk', 'auth-id': 'a', secrets: [{}] }).success).toBe(false);
    expect(
      sut.safeParse({ 'device-id': 'd', type: 'psk', 'auth-id': 'a', secrets: [] }).success,
    ).toBe(false);
  });
});
