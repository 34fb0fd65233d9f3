import { connect, type Socket } from 'node:net';

import { type Connection, create_container, type EventContext, types } from 'rhea';

import type { Message } from '@tessera/messaging';

import { AmqpServer } from './amqp-server';

/*
 * The limits AmqpServer adds to rhea, on loopback: max-frame-size, the time to open, and requests
 * no reply could answer (found by the garbage campaign, services/embedded).
 */

const echo = async (): Promise<Message> => ({ properties: { status: 200 } });

async function withServer(
  options: { authorize?: boolean; openTimeoutMs?: number; maxIncompleteBytes?: number },
  test: (port: number) => Promise<void>,
): Promise<void> {
  const server = new AmqpServer(
    {
      host: '127.0.0.1',
      port: 0,
      maxFrameSize: 4096,
      openTimeoutMs: options.openTimeoutMs ?? 300,
      ...(options.maxIncompleteBytes === undefined
        ? {}
        : { maxIncompleteBytes: options.maxIncompleteBytes }),
      security: options.authorize
        ? {
            allowAnonymous: false,
            authenticate: () => true,
            authorize: (_user, _address, operation) =>
              operation === undefined || operation === 'get',
          }
        : { allowAnonymous: true },
    },
    new Map([['echo', echo]]),
  );
  const port = await server.listen();
  try {
    await test(port);
  } finally {
    await server.close();
  }
}

function open(port: number, auth = false): Promise<Connection> {
  const connection = create_container().connect({
    host: '127.0.0.1',
    port,
    reconnect: false,
    ...(auth ? { username: 'u', password: 'p' } : {}),
  });
  connection.on('error', () => undefined);
  connection.on('connection_error', () => undefined);
  connection.on('disconnected', () => undefined);
  return new Promise((resolve) => {
    connection.once('connection_open', () => {
      resolve(connection);
    });
  });
}

/** Resolves once the socket closed, or with false after `ms`. */
function closedWithin(socket: { once(event: 'close', f: () => void): unknown }, ms: number) {
  return new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => {
      resolve(false);
    }, ms);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Sends one request on `echo/t`; resolves with the settlement (and the reply's status). */
function request(connection: Connection, fields: Record<string, unknown>): Promise<string> {
  return new Promise((resolve) => {
    const replyTo = `echo/t/${String(Math.random())}`;
    const receiver = connection.open_receiver(replyTo);
    const sender = connection.open_sender('echo/t');
    receiver.on('message', (ctx: EventContext) => {
      resolve(`reply ${String(ctx.message?.application_properties?.['status'])}`);
    });
    sender.on('rejected', (ctx: EventContext) => {
      const error = (ctx.delivery?.remote_state as { error?: { condition?: string } }).error;
      resolve(`rejected ${String(error?.condition)}`);
    });
    receiver.once('receiver_open', () => {
      sender.once('sendable', () => {
        sender.send({ reply_to: replyTo, subject: 'get', ...fields } as never);
      });
    });
  });
}

describe(AmqpServer.name, () => {
  it('announces its max-frame-size and closes a connection declaring a larger frame at once', async () => {
    await withServer({}, async (port) => {
      const connection = await open(port);
      expect(connection.max_frame_size).toBe(4096);
      const socket = (connection as unknown as { socket: Socket }).socket;
      const closed = closedWithin(socket, 5_000);
      // A frame header declaring 1 GB; the body never comes.
      socket.write(Buffer.from([0x40, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00]));
      expect(await closed).toBe(true);
    });
  });

  it('closes a connection that does not open in time, and keeps the ones that did', async () => {
    await withServer({}, async (port) => {
      const opened = await open(port);
      const silent = connect(port, '127.0.0.1');
      const headerOnly = connect(port, '127.0.0.1', () => {
        headerOnly.write(Buffer.from('AMQP\x00\x01\x00\x00', 'latin1'));
      });
      // Reading what the server sends (its protocol header), so its close is seen.
      for (const socket of [silent, headerOnly]) socket.on('error', () => undefined).resume();
      expect(
        await Promise.all([closedWithin(silent, 5_000), closedWithin(headerOnly, 5_000)]),
      ).toEqual([true, true]);
      await new Promise((r) => setTimeout(r, 400));
      expect(opened.is_open()).toBe(true);
      expect(await request(opened, { message_id: 'still-open' })).toBe('reply 200');
      opened.close();
    });
  });

  it('takes a message split over many frames up to the limit, and closes beyond it', async () => {
    await withServer({ maxIncompleteBytes: 64 * 1024 }, async (port) => {
      const connection = await open(port);
      // About 10 and 50 frames of 4 KiB: rhea sends all but the last with more=true.
      expect(await request(connection, { message_id: 'm1', body: 'x'.repeat(40_000) })).toBe(
        'reply 200',
      );
      const socket = (connection as unknown as { socket: Socket }).socket;
      const closed = closedWithin(socket, 5_000);
      void request(connection, { message_id: 'm2', body: 'x'.repeat(200_000) });
      expect(await closed).toBe(true);
    });
  });

  it('closes a connection sending more than a few frames before its open', async () => {
    await withServer({ openTimeoutMs: 60_000 }, async (port) => {
      const socket = connect(port, '127.0.0.1', () => {
        // Empty frames (heartbeats) after the header: each one fine, but never an open.
        socket.write(Buffer.from('AMQP\x00\x01\x00\x00', 'latin1'));
        const heartbeat = Buffer.from([0, 0, 0, 8, 2, 0, 0, 0]);
        socket.write(Buffer.concat(Array.from({ length: 8192 }, () => heartbeat)));
      });
      socket.on('error', () => undefined).resume();
      expect(await closedWithin(socket, 5_000)).toBe(true);
    });
  });

  it('rejects a request whose id no reply could carry, instead of failing in the reply', async () => {
    await withServer({}, async (port) => {
      const connection = await open(port);
      for (const id of [types.wrap_int(-5), types.wrap_double(1.5), types.wrap_list(['a'])]) {
        expect(await request(connection, { message_id: id })).toBe(
          'rejected amqp:precondition-failed',
        );
      }
      expect(await request(connection, { message_id: types.wrap_ulong(42) })).toBe('reply 200');
      expect(await request(connection, { correlation_id: 'c', message_id: 'm' })).toBe('reply 200');
      connection.close();
    });
  });

  it('does not take a request without subject for the link-level authorization', async () => {
    await withServer({ authorize: true }, async (port) => {
      const connection = await open(port, true);
      expect(await request(connection, { message_id: 'm1', subject: undefined })).toBe(
        'rejected amqp:unauthorized-access',
      );
      expect(await request(connection, { message_id: 'm2' })).toBe('reply 200');
      connection.close();
    });
  });
});
