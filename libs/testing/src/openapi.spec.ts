import { OpenApiValidator, readHonoJson } from './openapi';

describe(OpenApiValidator.name, () => {
  const sut = OpenApiValidator.honoDeviceRegistry();

  it('validates tenants, including TenantWithId (allOf with additionalProperties: false)', () => {
    expect(() => {
      sut.assertResponse('GET', '/v1/tenants/t1', 200, { enabled: true, ext: { a: 1 } });
    }).not.toThrow();
    expect(() => {
      sut.assertResponse('GET', '/v1/tenants?pageSize=1', 200, {
        total: 1,
        result: [{ id: 't1', enabled: true, 'trusted-ca': [{ 'subject-dn': 'CN=x' }] }],
      });
    }).not.toThrow();
    expect(() => {
      sut.assertResponse('GET', '/v1/tenants', 200, { total: 1, result: [{ id: 't1', bogus: 1 }] });
    }).toThrow(/additional/);
    expect(() => {
      sut.assertResponse('GET', '/v1/tenants/t1', 200, { enabled: 'yes' });
    }).toThrow(/boolean/);
  });

  it('checks created, empty and error responses', () => {
    expect(() => {
      sut.assertResponse('POST', '/v1/tenants', 201, { id: 'x' });
    }).not.toThrow();
    expect(() => {
      sut.assertResponse('POST', '/v1/tenants/x', 201, { id: 'x', extra: true });
    }).toThrow();
    expect(() => {
      sut.assertResponse('PUT', '/v1/tenants/x', 204, undefined);
    }).not.toThrow();
    expect(() => {
      sut.assertResponse('PUT', '/v1/tenants/x', 204, {});
    }).toThrow(/no body/);
    expect(() => {
      sut.assertResponse('GET', '/v1/tenants/x', 401, { error: 'authentication required' });
    }).not.toThrow();
    expect(() => {
      sut.assertResponse('GET', '/v1/tenants/x', 404, { message: 'no error member' });
    }).toThrow(/error/);
  });

  it('refuses undocumented statuses unless told', () => {
    expect(() => {
      sut.assertResponse('DELETE', '/v1/tenants/x', 400, { error: 'bad id' });
    }).toThrow(/not documented/);
    expect(() => {
      sut.assertResponse(
        'DELETE',
        '/v1/tenants/x',
        400,
        { error: 'bad id' },
        { allowUndocumentedStatus: true },
      );
    }).not.toThrow();
    expect(() => {
      sut.assertResponse('PATCH', '/v1/tenants/x', 200, {});
    }).toThrow(/no such operation/);
  });

  it('follows discriminator mappings of credentials', () => {
    const password = {
      type: 'hashed-password',
      'auth-id': 'sensor1',
      secrets: [{ 'hash-function': 'bcrypt', 'pwd-hash': '$2a$10$x' }],
    };
    expect(() => {
      sut.assertResponse('GET', '/v1/credentials/t/d', 200, [password]);
    }).not.toThrow();
    expect(() => {
      sut.assertResponse('GET', '/v1/credentials/t/d', 200, [{ ...password, bogus: 1 }]);
    }).toThrow();
    expect(() => {
      sut.assertResponse('GET', '/v1/credentials/t/d', 200, [
        { type: 'custom', 'auth-id': 'a', secrets: [{}] },
      ]);
    }).toThrow();
    expect(() => {
      OpenApiValidator.honoDeviceRegistry({
        allowUnmappedDiscriminatorValues: true,
      }).assertResponse('GET', '/v1/credentials/t/d', 200, [
        { type: 'custom', 'auth-id': 'a', secrets: [{}] },
      ]);
    }).not.toThrow();
  });

  it('accepts Hono’s example credentials (without their loader-only device-id)', () => {
    const examples = readHonoJson('example-credentials.json') as {
      credentials: { 'device-id': string }[];
    }[];
    const sets = examples.map((e) => e.credentials.map(({ 'device-id': _, ...c }) => c));
    expect(sets.length).toBeGreaterThan(0);
    for (const set of sets) {
      expect(() => {
        sut.assertResponse('GET', '/v1/credentials/t/d', 200, set);
      }).not.toThrow();
    }
  });
});
