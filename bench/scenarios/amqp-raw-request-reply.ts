import { once } from 'node:events';
import type { Server } from 'node:net';
import type { AddressInfo } from 'node:net';

// Baselines measure the raw driver on purpose; STYLE.md §3.2 confines rhea to libs, not bench.
// eslint-disable-next-line no-restricted-imports
import { create_container, message, type EventContext, type Sender } from 'rhea';

import { measureLoop, runInWorker, type Measurement, type Scenario } from '../harness';

const ADDRESS = 'bench';
// About the size of a Hono assert-registration response.
const REPLY_BODY = message.data_section(
  Buffer.from(JSON.stringify({ 'device-id': 'device-0042', via: ['gw-1'], 'default-ttl': 60 })),
) as unknown;

/**
 * Ceiling of rhea request/reply on this machine, shaped like a Hono registry call: the client
 * sends to `bench` with reply-to, and the server answers over the link the client attached to
 * the reply address. The server stands in for a registry service, on this thread; the client
 * runs in a worker thread, as the adapters are other processes.
 */
export function amqpRawRequestReplyBaseline(concurrency: number): Scenario {
  let server: Server | undefined;
  return {
    name: `baseline:amqp-raw-request-reply/c${String(concurrency)}`,
    async setup() {
      const container = create_container({ id: 'bench-server' });
      const replyLinks = new Map<string, Sender>();
      container.on('sender_open', (ctx: EventContext) => {
        const address = (ctx.sender?.source as { address?: string } | undefined)?.address;
        if (address !== undefined && ctx.sender) replyLinks.set(address, ctx.sender);
      });
      container.on('message', (ctx: EventContext) => {
        const request = ctx.message!;
        replyLinks.get(request.reply_to ?? '')?.send({
          correlation_id: request.message_id,
          content_type: 'application/json',
          application_properties: { status: 200 },
          body: REPLY_BODY,
        });
      });
      // rhea leaves Nagle on for accepted sockets: serial calls would stall ~40 ms on delayed ACKs.
      const listenOptions = { host: '127.0.0.1', port: 0, tcp_no_delay: true };
      server = container.listen(listenOptions);
      await once(server, 'listening');
    },
    run: (ctx) =>
      runInWorker(__filename, 'amqpRequestReplyLoad', {
        port: (server!.address() as AddressInfo).port,
        concurrency,
        durationMs: ctx.durationMs,
        warmupMs: ctx.warmupMs,
      } satisfies AmqpLoadOptions),
    async teardown() {
      if (!server) return;
      const closed = once(server, 'close');
      server.close();
      await closed;
    },
  };
}

export interface AmqpLoadOptions {
  port: number;
  concurrency: number;
  durationMs: number;
  warmupMs: number;
}

/** Worker side: one connection, one sender and one reply receiver, like an adapter's client. */
export async function amqpRequestReplyLoad(options: AmqpLoadOptions): Promise<Measurement> {
  const container = create_container({ id: 'bench-client' });
  const connection = container.connect({ host: '127.0.0.1', port: options.port, reconnect: false });
  const replyTo = `${ADDRESS}/reply/${container.generate_uuid()}`;
  const pending = new Map<string, { resolve: () => void; reject: (e: Error) => void }>();
  connection.on('disconnected', () => {
    for (const p of pending.values()) p.reject(new Error('AMQP connection lost'));
    pending.clear();
  });
  const receiver = connection.open_receiver({ source: { address: replyTo } });
  receiver.on('message', (ctx: EventContext) => {
    const id = String(ctx.message?.correlation_id);
    pending.get(id)?.resolve();
    pending.delete(id);
  });
  const sender = connection.open_sender({ target: { address: ADDRESS } });
  await Promise.all([once(receiver, 'receiver_open'), once(sender, 'sendable')]);

  let next = 0;
  const request = (seq: number) =>
    new Promise<void>((resolve, reject) => {
      const id = String(next++);
      pending.set(id, { resolve, reject });
      sender.send({
        message_id: id,
        reply_to: replyTo,
        subject: 'assert',
        body: undefined,
        application_properties: { tenant_id: 'bench', device_id: `device-${String(seq % 1000)}` },
      });
    });
  const measurement = await measureLoop(request, {
    concurrency: options.concurrency,
    durationMs: options.durationMs,
    warmupMs: options.warmupMs,
  });
  const closed = once(connection, 'connection_close');
  connection.close();
  await closed;
  return { ...measurement, extra: { concurrency: options.concurrency } };
}
