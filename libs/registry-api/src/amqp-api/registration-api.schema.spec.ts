import {
  AssertRegistrationRequestSchema,
  RegistrationAssertionSchema,
} from './registration-api.schema';

describe('AssertRegistrationRequestSchema', () => {
  const sut = AssertRegistrationRequestSchema;

  it('accepts device_id and an optional gateway_id', () => {
    expect(sut.parse({ device_id: '4712' })).toEqual({ device_id: '4712' });
    expect(sut.parse({ device_id: '4712', gateway_id: 'gw-1', tenant_id: 'x' })).toEqual({
      device_id: '4712',
      gateway_id: 'gw-1',
    });
  });

  it.each([{}, { device_id: '' }, { device_id: 'a b' }, { device_id: '1', gateway_id: 'g w' }])(
    'rejects %j',
    (properties) => {
      expect(sut.safeParse(properties).success).toBe(false);
    },
  );
});

describe('RegistrationAssertionSchema', () => {
  const sut = RegistrationAssertionSchema;

  it('parses a full assertion', () => {
    const assertion = {
      'device-id': '4712',
      via: ['gw-1', 'gw-2'],
      defaults: { 'content-type': 'application/vnd.bumlux' },
      'downstream-message-mapper': 'm1',
      'upstream-message-mapper': 'm2',
      'command-endpoint': { uri: 'https://x/{{deviceId}}', headers: { a: 'b' } },
    };
    expect(sut.parse(assertion)).toEqual(assertion);
  });

  it('requires device-id and ignores unknown members such as the documented "mapper"', () => {
    expect(sut.safeParse({ via: [] }).success).toBe(false);
    expect(sut.parse({ 'device-id': '4711', mapper: 'x' })).toEqual({ 'device-id': '4711' });
  });
});
