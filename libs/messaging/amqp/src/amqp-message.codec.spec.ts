import { message as rheaMessage } from 'rhea';

import { decodeBody, fromRheaMessage, toRheaMessage } from './amqp-message.codec';

describe('amqp message codec', () => {
  it('round-trips through the AMQP wire encoding', () => {
    const encoded = rheaMessage.encode(
      toRheaMessage({
        body: Buffer.from('{"a":1}'),
        contentType: 'application/json',
        properties: { tenant_id: 't1', status: 200, flag: true },
        subject: 'get',
        messageId: 'm-1',
        correlationId: 'c-1',
        replyTo: 'tenant/abc',
        ttlMs: 5000,
      }),
    );
    const sut = fromRheaMessage('tenant', rheaMessage.decode(encoded));
    expect(sut.body?.toString()).toBe('{"a":1}');
    expect(sut.contentType).toBe('application/json');
    expect(sut.properties).toEqual({ tenant_id: 't1', status: 200, flag: true });
    expect(sut).toMatchObject({
      source: 'tenant',
      subject: 'get',
      messageId: 'm-1',
      correlationId: 'c-1',
      replyTo: 'tenant/abc',
      ttlMs: 5000,
    });
  });

  it('accepts amqp-value bodies from other clients', () => {
    expect(decodeBody('text')?.toString()).toBe('text');
    expect(decodeBody({ k: 'v' })?.toString()).toBe('{"k":"v"}');
    expect(decodeBody(undefined)).toBeUndefined();
  });

  it('leaves an empty message without a body', () => {
    const encoded = rheaMessage.encode(toRheaMessage({ properties: { a: 'b' } }));
    expect(fromRheaMessage('x', rheaMessage.decode(encoded)).body).toBeUndefined();
  });
});

describe('integer properties', () => {
  it('go out as AMQP int, as Hono’s Java peers read them', () => {
    const encoded = rheaMessage.encode(
      toRheaMessage({ properties: { status: 200, big: 2 ** 40 } }),
    );
    // 0x71 = int (4 bytes), 0x81 = long: the codes that follow each property name on the wire.
    const hex = encoded.toString('hex');
    expect(hex).toContain(`${Buffer.from('status').toString('hex')}71000000c8`);
    expect(hex).toContain(`${Buffer.from('big').toString('hex')}81`);
    expect(fromRheaMessage('x', rheaMessage.decode(encoded)).properties).toEqual({
      status: 200,
      big: 2 ** 40,
    });
  });
});
