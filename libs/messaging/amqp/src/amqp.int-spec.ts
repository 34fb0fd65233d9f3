import { connect as netConnect } from 'node:net';

import { create_container, type EventContext } from 'rhea';

import type { Message, ReceivedMessage } from '@tessera/messaging';
import { infraEnv, runProgram, uniqueId } from '@tessera/testing';

import { AmqpReceiver } from './amqp-receiver';
import { AmqpRequestResponseClient } from './amqp-request-response.client';
import { AmqpSender } from './amqp-sender';
import { AmqpServer } from './amqp-server';

const { amqpUrl } = infraEnv();
const PYTHON = '/usr/bin/python3';

describe('AMQP 1.0 broker through @tessera/messaging-amqp', () => {
  const sender = new AmqpSender({ url: amqpUrl });
  const receiver = new AmqpReceiver({ url: amqpUrl });

  beforeAll(async () => {
    await sender.start();
    await receiver.start();
  });
  afterAll(async () => {
    await receiver.stop();
    await sender.stop();
  });

  it('gets the accepted outcome for a send and receives it with properties', async () => {
    const address = `event/${uniqueId('tenant')}`;
    await sender.send(
      address,
      { body: Buffer.from('e1'), contentType: 'text/plain', properties: { device_id: 'd1' } },
      { awaitAck: true },
    );
    const got = await new Promise<ReceivedMessage>((resolve) => {
      void receiver.subscribe(address, async (m) => {
        resolve(m);
      });
    });
    expect(got.body?.toString()).toBe('e1');
    expect(got.properties).toMatchObject({ device_id: 'd1' });
    expect(got.contentType).toBe('text/plain');
  });

  it('never holds more unsettled messages than the credit it granted, and gets the rest after settling', async () => {
    const address = `event/${uniqueId('credit')}`;
    for (let i = 0; i < 6; i++) {
      await sender.send(address, { body: Buffer.from(String(i)) }, { awaitAck: true });
    }
    let inHandler = 0;
    let maxInHandler = 0;
    const seen: string[] = [];
    const releases: (() => void)[] = [];
    let allSeen: () => void = () => undefined;
    const done = new Promise<void>((r) => (allSeen = r));
    const sub = await receiver.subscribe(
      address,
      async (m) => {
        inHandler++;
        maxInHandler = Math.max(maxInHandler, inHandler);
        seen.push(m.body?.toString() ?? '');
        await new Promise<void>((r) => releases.push(r));
        inHandler--;
        if (seen.length === 6 && inHandler === 0) allSeen();
      },
      { prefetch: 2 },
    );
    await new Promise((r) => setTimeout(r, 500));
    expect(seen).toHaveLength(2);
    while (seen.length < 6 || releases.length > 0) {
      releases.shift()?.();
      await new Promise((r) => setTimeout(r, 20));
    }
    await done;
    await sub.close();
    expect(maxInHandler).toBe(2);
    expect(seen.sort()).toEqual(['0', '1', '2', '3', '4', '5']);
  });

  it('exchanges messages with Qpid Proton, a client nobody here wrote', async () => {
    const address = `telemetry/${uniqueId('proton')}`;
    const script = `
import sys
from proton import Message
from proton.utils import BlockingConnection
from urllib.parse import urlparse
u = urlparse(sys.argv[1])
conn = BlockingConnection(f"{u.hostname}:{u.port}", user=u.username, password=u.password, allowed_mechs="PLAIN ANONYMOUS")
rcv = conn.create_receiver(sys.argv[2])
m = rcv.receive(timeout=20)
rcv.accept()
snd = conn.create_sender(sys.argv[2] + "/back")
snd.send(Message(body=b"pong:" + bytes(m.body), properties={"device_id": m.properties["device_id"]}))
conn.close()
print(m.properties["device_id"], bytes(m.body).decode())
`;
    const proton = runProgram(PYTHON, ['-c', script, amqpUrl, address], { timeoutMs: 40_000 });
    const back = new Promise<ReceivedMessage>((resolve) => {
      void receiver.subscribe(`${address}/back`, async (m) => {
        resolve(m);
      });
    });
    // Proton needs a moment to attach; our send queues on the broker anyway.
    await sender.send(
      address,
      { body: Buffer.from('ping'), properties: { device_id: 'dp' } },
      { awaitAck: true },
    );
    const result = await proton;
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('dp ping');
    const reply = await back;
    expect(reply.body?.toString()).toBe('pong:ping');
    expect(reply.properties?.['device_id']).toBe('dp');
  });
});

describe('AMQP request/response server (Hono registry style)', () => {
  let server: AmqpServer;
  let port = 0;
  let client: AmqpRequestResponseClient;

  beforeAll(async () => {
    const echo = async (request: ReceivedMessage): Promise<Message> => {
      if (request.subject === 'missing')
        throw Object.assign(new Error('no such thing'), { status: 404 });
      return {
        properties: {
          status: 200,
          tenant_id: request.source.split('/')[1] ?? '',
          cache_control: 'max-age=60',
        },
        contentType: 'application/json',
        body: request.body,
      };
    };
    server = new AmqpServer(
      { host: '127.0.0.1', port: 0, security: { allowAnonymous: true } },
      new Map([['echo', echo]]),
    );
    port = await server.listen();
    client = new AmqpRequestResponseClient({ url: `amqp://127.0.0.1:${String(port)}` });
    await client.start();
  });
  afterAll(async () => {
    await client.stop();
    await server.close();
  });

  it('answers with the status property and the request id as correlation-id', async () => {
    const reply = await client.request('echo/t1', { subject: 'get', body: Buffer.from('{"x":1}') });
    expect(reply.properties).toMatchObject({
      status: 200,
      tenant_id: 't1',
      cache_control: 'max-age=60',
    });
    expect(reply.body?.toString()).toBe('{"x":1}');
    const failed = await client.request('echo/t1', { subject: 'missing' });
    expect(failed.properties?.['status']).toBe(404);
    expect(failed.body?.toString()).toBe('no such thing');
  });

  it('serves Qpid Proton with correlation-id = message-id (same AMQP type), and = correlation-id when one is set', async () => {
    const script = `
import sys, uuid
from proton import Message, ulong
from proton.utils import BlockingConnection
conn = BlockingConnection(f"127.0.0.1:{sys.argv[1]}", allowed_mechs="ANONYMOUS")
rcv = conn.create_receiver("echo/t2/reply-1")
snd = conn.create_sender("echo/t2")
snd.send(Message(id="msg-1", reply_to="echo/t2/reply-1", subject="get", body=b"a"))
r1 = rcv.receive(timeout=10)
snd.send(Message(id="msg-2", correlation_id="corr-2", reply_to="echo/t2/reply-1", subject="get", body=b"b"))
r2 = rcv.receive(timeout=10)
u = uuid.uuid4()
snd.send(Message(id=u, reply_to="echo/t2/reply-1", subject="get", body=b"c"))
r3 = rcv.receive(timeout=10)
snd.send(Message(id=ulong(42), reply_to="echo/t2/reply-1", subject="get", body=b"d"))
r4 = rcv.receive(timeout=10)
rcv.accept()
conn.close()
print(r1.correlation_id, repr(r1.properties["status"]), r2.correlation_id, r2.properties["tenant_id"], r3.correlation_id == u and isinstance(r3.correlation_id, uuid.UUID), type(r4.correlation_id).__name__ + ":" + str(r4.correlation_id))
`;
    const result = await runProgram(PYTHON, ['-c', script, String(port)]);
    expect(result.stderr).toBe('');
    // int32: Hono's Java clients read `status` as an AMQP int.
    // …and the reply's correlation-id keeps the type of the request's id: a UUID stays a UUID, a
    // ulong stays numeric (Proton's Python binding shows a decoded ulong id as int; a string id
    // would print as str).
    expect(result.stdout.trim()).toBe('msg-1 int32(200) corr-2 t2 True int:42');
  });

  it('settles every answered request accepted, also failed ones, and answers a burst of them', async () => {
    const result = await new Promise<{ accepted: number; replies: number[] }>((resolve) => {
      const container = create_container();
      const conn = container.connect({ host: '127.0.0.1', port, reconnect: false });
      const replies: number[] = [];
      let accepted = 0;
      const finish = (): void => {
        if (accepted < 50 || replies.length < 50) return;
        conn.close();
        resolve({ accepted, replies });
      };
      const receiver = conn.open_receiver('echo/t5/reply');
      receiver.on('message', (ctx: EventContext) => {
        replies.push(Number(ctx.message?.application_properties?.['status']));
        finish();
      });
      const link = conn.open_sender('echo/t5');
      link.on('accepted', () => {
        accepted++;
        finish();
      });
      receiver.once('receiver_open', () => {
        link.once('sendable', () => {
          for (let i = 0; i < 50; i++) {
            link.send({
              message_id: `m-${String(i)}`,
              reply_to: 'echo/t5/reply',
              subject: i % 10 === 0 ? 'missing' : 'get',
              body: 'x',
            });
          }
        });
      });
    });
    expect(result.accepted).toBe(50);
    expect(result.replies.filter((s) => s === 404)).toHaveLength(5);
    expect(result.replies.filter((s) => s === 200)).toHaveLength(45);
  });

  it('rejects a request without reply-to, refuses unknown addresses, and survives garbage', async () => {
    const outcome = await new Promise<string>((resolve) => {
      const container = create_container();
      const conn = container.connect({ host: '127.0.0.1', port, reconnect: false });
      const link = conn.open_sender('echo/t3');
      link.once('sendable', () => {
        link.send({ message_id: 'x', subject: 'get', body: 'no reply-to' });
      });
      link.on('rejected', (ctx: EventContext) => {
        const error = (
          ctx.delivery as unknown as { remote_state: { error: { condition: string } } }
        ).remote_state.error;
        conn.close();
        resolve(error.condition);
      });
      link.on('accepted', () => {
        conn.close();
        resolve('accepted');
      });
    });
    expect(outcome).toBe('amqp:precondition-failed');

    await expect(
      client.request('nowhere/t1', { subject: 'get' }, { timeoutMs: 2_000 }),
    ).rejects.toMatchObject({ code: 'UNAVAILABLE' });

    await new Promise<void>((resolve) => {
      const socket = netConnect(port, '127.0.0.1', () => {
        socket.write(Buffer.from('AMQP\x00\x01\x00\x00garbage-garbage-garbage'));
        socket.write(Buffer.alloc(64, 0xff));
      });
      socket.on('close', () => {
        resolve();
      });
      socket.on('error', () => undefined);
      setTimeout(() => socket.destroy(), 1_000);
    });
    const reply = await client.request('echo/t4', {
      subject: 'get',
      body: Buffer.from('still here'),
    });
    expect(reply.body?.toString()).toBe('still here');
  });
});
