import { randomUUID } from 'node:crypto';

import type { Delivery, EventContext, Receiver, Sender } from 'rhea';

import { type Message, MessagingError, RequestResponseClient } from '@tessera/messaging';

import { AmqpConnection, type AmqpConnectionOptions } from './amqp-connection';
import { fromRheaMessage, toRheaMessage } from './amqp-message.codec';
import { traced, waitSendable, withTimeout } from './amqp-sender';

interface Links {
  sender: Sender;
  receiver: Receiver;
  replyTo: string;
}

interface Waiting {
  resolve: (m: Message) => void;
  reject: (e: MessagingError) => void;
  timer: NodeJS.Timeout;
}

/**
 * Hono's request/response pattern: per address one sender link and one receiver link on
 * `<address>/<random>` that the peer sends replies to; replies are matched by `correlation-id`.
 * After a lost connection the links are opened afresh and waiting requests fail retryably.
 */
export class AmqpRequestResponseClient extends RequestResponseClient {
  private readonly connection: AmqpConnection;
  private readonly links = new Map<string, Promise<Links>>();
  // The links once attached: the hot path skips the promise and timer of the attach wait.
  private readonly attachedLinks = new Map<string, Links>();
  private readonly waiting = new Map<string, Waiting>();
  // Which request a delivery carried, so a refused request fails at once instead of timing out.
  private readonly requestOf = new WeakMap<Delivery, string>();

  constructor(
    options: AmqpConnectionOptions,
    private readonly defaultTimeoutMs = 5_000,
  ) {
    super();
    this.connection = new AmqpConnection({ ...options, reconnect: options.reconnect ?? true });
    this.connection.onDisconnect((error) => {
      this.links.clear();
      this.attachedLinks.clear();
      for (const [id, w] of this.waiting) {
        this.waiting.delete(id);
        clearTimeout(w.timer);
        w.reject(error);
      }
    });
  }

  get status(): string {
    return this.connection.status;
  }

  async start(): Promise<void> {
    await this.connection.open();
  }

  async stop(): Promise<void> {
    for (const [id, w] of this.waiting) {
      this.waiting.delete(id);
      clearTimeout(w.timer);
      w.reject(new MessagingError('CLOSED', 'client stopped', false));
    }
    this.links.clear();
    this.attachedLinks.clear();
    await this.connection.close();
  }

  async request(
    address: string,
    request: Message,
    options: { timeoutMs?: number } = {},
  ): Promise<Message> {
    const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
    const links =
      this.attachedLinks.get(address) ??
      (await withTimeout(this.linksFor(address), timeoutMs, address));
    if (!links.sender.sendable()) {
      await withTimeout(waitSendable(links.sender), timeoutMs, address);
    }
    const messageId = randomUUID();
    const reply = new Promise<Message>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(messageId);
        reject(
          new MessagingError(
            'TIMEOUT',
            `no reply from ${address} within ${String(timeoutMs)} ms`,
            true,
          ),
        );
      }, timeoutMs);
      this.waiting.set(messageId, { resolve, reject, timer });
    });
    const delivery = links.sender.send(
      toRheaMessage(traced({ ...request, messageId, replyTo: links.replyTo })),
    );
    this.requestOf.set(delivery, messageId);
    return reply;
  }

  private linksFor(address: string): Promise<Links> {
    let links = this.links.get(address);
    if (!links) {
      links = this.openLinks(address);
      this.links.set(address, links);
      links.catch(() => this.links.delete(address));
    }
    return links;
  }

  private async openLinks(address: string): Promise<Links> {
    const connection = await this.connection.open();
    const replyTo = `${address}/${randomUUID()}`;
    const receiver = connection.open_receiver({ source: { address: replyTo }, credit_window: 100 });
    receiver.on('message', (ctx: EventContext) => {
      if (!ctx.message) return;
      const m = fromRheaMessage(replyTo, ctx.message);
      const w = m.correlationId === undefined ? undefined : this.waiting.get(m.correlationId);
      if (!w || m.correlationId === undefined) return;
      this.waiting.delete(m.correlationId);
      clearTimeout(w.timer);
      w.resolve(m);
    });
    const sender = connection.open_sender({ target: { address } });
    // The peer refused the request (malformed, or not authorized): it will never be answered.
    const refused = (ctx: EventContext, code: 'REJECTED' | 'RELEASED'): void => {
      const id = ctx.delivery ? this.requestOf.get(ctx.delivery) : undefined;
      const w = id === undefined ? undefined : this.waiting.get(id);
      if (!w || id === undefined) return;
      this.waiting.delete(id);
      clearTimeout(w.timer);
      const error = (
        ctx.delivery?.remote_state as
          { error?: { condition?: string; description?: string } } | undefined
      )?.error;
      w.reject(
        new MessagingError(
          code,
          `${address}: request ${code.toLowerCase()}: ${error?.condition ?? 'no condition'} ${error?.description ?? ''}`.trim(),
          code === 'RELEASED',
          { cause: error },
        ),
      );
    };
    sender.on('rejected', (ctx: EventContext) => {
      refused(ctx, 'REJECTED');
    });
    sender.on('released', (ctx: EventContext) => {
      refused(ctx, 'RELEASED');
    });
    sender.on('modified', (ctx: EventContext) => {
      refused(ctx, 'RELEASED');
    });
    const dropOnClose = (): void => {
      this.links.delete(address);
      this.attachedLinks.delete(address);
    };
    receiver.on('receiver_close', dropOnClose);
    sender.on('sender_close', dropOnClose);
    receiver.on('receiver_error', () => undefined);
    sender.on('sender_error', () => undefined);
    await Promise.all([
      attached(receiver, 'receiver', address),
      attached(sender, 'sender', address),
    ]);
    const links = { sender, receiver, replyTo };
    this.attachedLinks.set(address, links);
    return links;
  }
}

function attached(
  link: Sender | Receiver,
  kind: 'sender' | 'receiver',
  address: string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const refused = (): void => {
      const err = link.error as { description?: string } | undefined;
      reject(
        new MessagingError(
          'UNAVAILABLE',
          `${address}: link refused: ${err?.description ?? 'closed'}`,
          true,
        ),
      );
    };
    link.once(`${kind}_open`, () => {
      // A peer that refuses a link answers with a null terminus and detaches right after.
      const remote = (
        link as unknown as { remote: { attach?: { source?: unknown; target?: unknown } } }
      ).remote.attach;
      const terminus = kind === 'sender' ? remote?.target : remote?.source;
      // rhea hands a refused terminus over as a typed AMQP null, not as JS null.
      if (typeof terminus !== 'object' || terminus === null || !('address' in terminus)) return;
      resolve();
    });
    link.once(`${kind}_close`, refused);
  });
}
