import { errorReply, MessagingError } from '@tessera/messaging';
import { ClientError, NotFoundError, ServerError, type TenantObject } from '@tessera/registry-api';

import { ResponseCache } from './caching/response-cache';
import { RequestResponseTenantClient } from './request-response-tenant.client';
import {
  failure,
  okReply,
  requestBody,
  ScriptedRequestResponseClient,
} from './testing/scripted-request-response.client';

const TENANT = { 'tenant-id': 'acme', enabled: true, 'minimum-message-size': 0 };

describe(RequestResponseTenantClient.name, () => {
  let transport: ScriptedRequestResponseClient;
  let sut: RequestResponseTenantClient;

  beforeEach(() => {
    transport = new ScriptedRequestResponseClient();
    sut = new RequestResponseTenantClient(transport);
  });

  describe('request format', () => {
    it('gets by tenant-id from address tenant', async () => {
      transport.answer(okReply(TENANT, 'max-age=180'));

      expect(await sut.get('acme')).toEqual(TENANT);
      const [sent] = transport.requests;
      expect(sent?.address).toBe('tenant');
      expect(sent?.request.subject).toBe('get');
      expect(sent?.request.contentType).toBe('application/json');
      expect(requestBody(sent)).toEqual({ 'tenant-id': 'acme' });
      expect(sent?.options).toEqual({});
    });

    it('gets by subject-dn', async () => {
      transport.answer(okReply(TENANT));

      await sut.getBySubjectDn('CN=ca,O=ACME');
      expect(requestBody(transport.requests[0])).toEqual({ 'subject-dn': 'CN=ca,O=ACME' });
    });

    it('passes the configured timeout', async () => {
      sut = new RequestResponseTenantClient(transport, { timeoutMs: 1234 });
      transport.answer(okReply(TENANT));

      await sut.get('acme');
      expect(transport.requests[0]?.options).toEqual({ timeoutMs: 1234 });
    });

    it('refuses an invalid tenant ID or an empty subject DN without a request', async () => {
      const invalid = await failure(sut.get('a/b'));
      const empty = await failure(sut.getBySubjectDn(' '));

      for (const error of [invalid, empty]) {
        expect(error).toBeInstanceOf(ClientError);
        expect(error.status).toBe(400);
        expect(error.code).toBe('REGISTRY_CLIENT.INVALID_REQUEST');
      }
      expect(transport.requests).toHaveLength(0);
    });
  });

  describe('errors', () => {
    it.each([
      [400, ClientError],
      [403, ClientError],
      [404, NotFoundError],
      [500, ServerError],
      [503, ServerError],
    ])('maps status %i to %p with the reply text', async (status, type) => {
      transport.answer(errorReply(status, 'explained by the registry'));

      const error = await failure(sut.get('acme'));
      expect(error).toBeInstanceOf(type);
      expect(error.status).toBe(status);
      expect(error.message).toBe('explained by the registry');
    });

    it('accepts a status delivered as a string', async () => {
      transport.answer({ ...okReply(TENANT), properties: { status: '200' } });
      expect(await sut.get('acme')).toEqual(TENANT);

      transport.answer({ properties: { status: '404' } });
      expect((await failure(sut.get('acme'))).status).toBe(404);
    });

    it.each([
      ['TIMEOUT', true],
      ['UNAVAILABLE', true],
      ['REJECTED', false],
    ] as const)('turns MessagingError(%s) into ServerError(503)', async (code, retryable) => {
      const cause = new MessagingError(code, 'no luck', retryable);
      transport.answer(() => {
        throw cause;
      });

      const error = await failure(sut.get('acme'));
      expect(error).toBeInstanceOf(ServerError);
      expect(error.status).toBe(503);
      expect(error.code).toBe('REGISTRY_CLIENT.UNAVAILABLE');
      expect(error.retryable).toBe(retryable);
      expect(error.cause).toBe(cause);
    });

    it('turns any other transport failure into a non-retryable ServerError(500)', async () => {
      transport.answer(() => Promise.reject(new TypeError('bug')));

      const error = await failure(sut.get('acme'));
      expect(error).toBeInstanceOf(ServerError);
      expect(error.status).toBe(500);
      expect(error.code).toBe('REGISTRY_CLIENT.REQUEST_FAILED');
      expect(error.retryable).toBe(false);
    });

    it.each([
      ['a body that is not JSON', { properties: { status: 200 }, body: Buffer.from('{') }],
      ['a body that is no TenantObject', okReply({ enabled: true })],
      ['no body', { properties: { status: 200 } }],
      ['no status', { body: Buffer.from(JSON.stringify(TENANT)) }],
      ['a non-numeric status', okReply(TENANT, undefined, Number.NaN)],
    ])('rejects a reply with %s as malformed (500, not retryable)', async (_name, reply) => {
      transport.answer(reply);

      const error = await failure(sut.get('acme'));
      expect(error).toBeInstanceOf(ServerError);
      expect(error.status).toBe(500);
      expect(error.code).toBe('REGISTRY_CLIENT.MALFORMED_REPLY');
      expect(error.retryable).toBe(false);
    });

    it('treats an unexpected success status as an error', async () => {
      transport.answer(okReply(TENANT, undefined, 201));

      expect((await failure(sut.get('acme'))).status).toBe(500);
    });
  });

  describe('with a cache', () => {
    let now: number;

    beforeEach(() => {
      now = 0;
      const cache = new ResponseCache<TenantObject>({ now: () => now });
      sut = new RequestResponseTenantClient(transport, { cache });
    });

    it('answers repeated lookups within max-age from the cache, separately by ID and DN', async () => {
      transport.answer(okReply(TENANT, 'max-age=180'), okReply(TENANT, 'max-age=180'));

      await sut.get('acme');
      await sut.get('acme');
      await sut.getBySubjectDn('CN=ca,O=ACME');
      await sut.getBySubjectDn('CN=ca,O=ACME');
      expect(transport.requests).toHaveLength(2);

      now += 180_000;
      transport.answer(okReply(TENANT, 'max-age=180'));
      await sut.get('acme');
      expect(transport.requests).toHaveLength(3);
    });

    it('does not cache error replies', async () => {
      transport.answer(errorReply(404, 'no such tenant'), okReply(TENANT, 'max-age=180'));

      await expect(sut.get('acme')).rejects.toBeInstanceOf(NotFoundError);
      expect(await sut.get('acme')).toEqual(TENANT);
    });
  });
});
