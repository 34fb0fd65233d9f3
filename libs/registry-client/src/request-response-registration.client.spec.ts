import { errorReply } from '@tessera/messaging';
import { ClientError, NotFoundError, type RegistrationAssertion } from '@tessera/registry-api';

import { ResponseCache } from './caching/response-cache';
import { RequestResponseRegistrationClient } from './request-response-registration.client';
import {
  failure,
  okReply,
  ScriptedRequestResponseClient,
} from './testing/scripted-request-response.client';

const ASSERTION = { 'device-id': '4711', via: ['gw-1'], defaults: { ttl: 30 } };

describe(RequestResponseRegistrationClient.name, () => {
  let transport: ScriptedRequestResponseClient;
  let sut: RequestResponseRegistrationClient;

  beforeEach(() => {
    transport = new ScriptedRequestResponseClient(() => okReply(ASSERTION, 'max-age=300'));
    sut = new RequestResponseRegistrationClient(transport);
  });

  it('asserts with device_id and no body at registration/<tenant>', async () => {
    expect(await sut.assertRegistration('acme', '4711')).toEqual(ASSERTION);

    const [sent] = transport.requests;
    expect(sent?.address).toBe('registration/acme');
    expect(sent?.request.subject).toBe('assert');
    expect(sent?.request.properties).toEqual({ device_id: '4711' });
    expect(sent?.request.body).toBeUndefined();
  });

  it('adds gateway_id when a gateway acts for the device', async () => {
    await sut.assertRegistration('acme', '4711', 'gw-1');

    expect(transport.requests[0]?.request.properties).toEqual({
      device_id: '4711',
      gateway_id: 'gw-1',
    });
  });

  it('refuses an invalid tenant ID without a request', async () => {
    expect((await failure(sut.assertRegistration('', '4711'))).status).toBe(400);
    expect(transport.requests).toHaveLength(0);
  });

  it.each([
    [400, ClientError],
    [403, ClientError],
    [404, NotFoundError],
  ])('maps status %i to %p', async (status, type) => {
    transport.answer(errorReply(status, 'no'));

    const error = await failure(sut.assertRegistration('acme', '4711', 'gw-1'));
    expect(error).toBeInstanceOf(type);
    expect(error.status).toBe(status);
  });

  describe('with a cache', () => {
    beforeEach(() => {
      const cache = new ResponseCache<RegistrationAssertion>();
      sut = new RequestResponseRegistrationClient(transport, { cache });
    });

    it('caches per tenant, device and gateway', async () => {
      await sut.assertRegistration('acme', '4711');
      await sut.assertRegistration('acme', '4711');
      await sut.assertRegistration('acme', '4711', 'gw-1');
      await sut.assertRegistration('acme', '4711', 'gw-1');
      await sut.assertRegistration('other', '4711');

      expect(transport.requests).toHaveLength(3);
    });

    it('does not cache a reply with no-cache', async () => {
      transport.answer(okReply(ASSERTION, 'no-cache'));

      await sut.assertRegistration('acme', '4711');
      await sut.assertRegistration('acme', '4711');
      expect(transport.requests).toHaveLength(2);
    });
  });
});
