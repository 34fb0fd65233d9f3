import { errorReply } from '@tessera/messaging';
import { ClientError, NotFoundError } from '@tessera/registry-api';

import { ResponseCache } from './caching/response-cache';
import type { CredentialsResult } from './credentials.client';
import { RequestResponseCredentialsClient } from './request-response-credentials.client';
import {
  failure,
  okReply,
  requestBody,
  ScriptedRequestResponseClient,
} from './testing/scripted-request-response.client';

const CREDENTIALS = {
  'device-id': '4711',
  type: 'hashed-password',
  'auth-id': 'sensor1',
  enabled: true,
  secrets: [{ 'hash-function': 'sha-256', 'pwd-hash': 'AQIDBA==', salt: 'Mq7wFw==' }],
};

describe(RequestResponseCredentialsClient.name, () => {
  let transport: ScriptedRequestResponseClient;
  let sut: RequestResponseCredentialsClient;

  beforeEach(() => {
    transport = new ScriptedRequestResponseClient(() => okReply(CREDENTIALS, 'max-age=180'));
    sut = new RequestResponseCredentialsClient(transport);
  });

  it('gets by type and auth-id at credentials/<tenant>', async () => {
    expect(await sut.get('acme', 'hashed-password', 'sensor1')).toEqual({
      credentials: CREDENTIALS,
      created: false,
    });

    const [sent] = transport.requests;
    expect(sent?.address).toBe('credentials/acme');
    expect(sent?.request.subject).toBe('get');
    expect(sent?.request.contentType).toBe('application/json');
    expect(requestBody(sent)).toEqual({ type: 'hashed-password', 'auth-id': 'sensor1' });
  });

  it('sends the client context as further members', async () => {
    await sut.get('acme', 'x509-cert', 'CN=4711', {
      'client-certificate': 'Tk9U',
      'client-id': 'c',
    });

    expect(requestBody(transport.requests[0])).toEqual({
      type: 'x509-cert',
      'auth-id': 'CN=4711',
      'client-certificate': 'Tk9U',
      'client-id': 'c',
    });
  });

  it.each(['type', 'auth-id', 'device-id'])(
    'refuses a client context with %s without a request',
    async (member) => {
      const error = await failure(sut.get('acme', 'psk', 'a', { [member]: 'x' }));

      expect(error).toBeInstanceOf(ClientError);
      expect(error.status).toBe(400);
      expect(transport.requests).toHaveLength(0);
    },
  );

  it('reports a 201 as created', async () => {
    transport.answer(okReply(CREDENTIALS, 'max-age=180', 201));

    expect((await sut.get('acme', 'x509-cert', 'CN=4711')).created).toBe(true);
  });

  it.each([
    [400, ClientError],
    [404, NotFoundError],
  ])('maps status %i to %p', async (status, type) => {
    transport.answer(errorReply(status, 'no'));

    expect(await failure(sut.get('acme', 'psk', 'a'))).toBeInstanceOf(type);
  });

  describe('with a cache', () => {
    beforeEach(() => {
      sut = new RequestResponseCredentialsClient(transport, {
        cache: new ResponseCache<CredentialsResult>(),
      });
    });

    it('caches 200 replies per tenant, type, auth-id and client context', async () => {
      await sut.get('acme', 'hashed-password', 'sensor1', { a: 1, b: { c: 2, d: 3 } });
      await sut.get('acme', 'hashed-password', 'sensor1', { b: { d: 3, c: 2 }, a: 1 });
      await sut.get('acme', 'hashed-password', 'sensor1', { a: 2 });
      await sut.get('acme', 'hashed-password', 'sensor1');
      await sut.get('acme', 'hashed-password', 'sensor1', {});
      await sut.get('acme', 'psk', 'sensor1');

      expect(transport.requests).toHaveLength(4);
    });

    it('does not cache a 201, and answers later hits as not created', async () => {
      transport.answer(okReply(CREDENTIALS, 'max-age=180', 201));

      expect((await sut.get('acme', 'x509-cert', 'CN=4711')).created).toBe(true);
      expect((await sut.get('acme', 'x509-cert', 'CN=4711')).created).toBe(false);
      expect((await sut.get('acme', 'x509-cert', 'CN=4711')).created).toBe(false);
      expect(transport.requests).toHaveLength(2);
    });

    it('does not cache psk replies sent with no-cache', async () => {
      transport.answer(okReply({ ...CREDENTIALS, type: 'psk' }, 'no-cache'));

      await sut.get('acme', 'psk', 'sensor1');
      await sut.get('acme', 'psk', 'sensor1');
      expect(transport.requests).toHaveLength(2);
    });
  });
});
