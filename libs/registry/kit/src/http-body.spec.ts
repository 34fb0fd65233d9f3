import type { Request } from 'express';

import { jsonBody } from './http-body';

const request = (body: unknown, headers: Record<string, string> = {}): Request =>
  ({
    body,
    headers: { 'content-type': 'application/json', 'content-length': '2', ...headers },
  }) as unknown as Request;

describe(jsonBody.name, () => {
  it('hands on a JSON body, and none where the API allows none', () => {
    expect(jsonBody(request({ enabled: false }), { required: true })).toEqual({ enabled: false });
    expect(
      jsonBody(request(undefined, { 'content-length': '0' }), { required: false }),
    ).toBeUndefined();
  });

  it('takes an empty chunked body for none, although the parser made it {}', () => {
    const chunked = { 'transfer-encoding': 'chunked', 'content-length': '' };
    const empty = Object.assign(request({}, chunked), { rawBodyLength: 0 });
    expect(() => jsonBody(empty, { required: true })).toThrow(
      expect.objectContaining({ status: 400, code: 'REQUEST.MISSING_BODY' }) as Error,
    );
    expect(jsonBody(empty, { required: false })).toBeUndefined();
    const full = Object.assign(request({ a: 1 }, chunked), { rawBodyLength: 7 });
    expect(jsonBody(full, { required: true })).toEqual({ a: 1 });
  });

  it('refuses a missing required body and other content types with 400', () => {
    expect(() =>
      jsonBody(request(undefined, { 'content-length': '0' }), { required: true }),
    ).toThrow(expect.objectContaining({ status: 400, code: 'REQUEST.MISSING_BODY' }) as Error);
    expect(() =>
      jsonBody(request({}, { 'content-type': 'text/plain' }), { required: true }),
    ).toThrow(expect.objectContaining({ status: 400, code: 'REQUEST.CONTENT_TYPE' }) as Error);
  });

  it('refuses with 400 a body no store can hold: too deep, U+0000, unpaired surrogates', () => {
    const deep: unknown = JSON.parse(`{"ext":{"a":${'['.repeat(10_000)}${']'.repeat(10_000)}}}`);
    for (const body of [deep, { ext: { a: 'nul\u0000' } }, { ext: { '\ud800': 1 } }]) {
      expect(() => jsonBody(request(body), { required: true })).toThrow(
        expect.objectContaining({ status: 400, code: 'REQUEST.MALFORMED_BODY' }) as Error,
      );
    }
  });
});
