import type { Delivery, EventContext, Sender } from 'rhea';

import { type Message, MessageSender, MessagingError, type SendOptions } from '@tessera/messaging';
import { injectTraceContext } from '@tessera/telemetry';

import { AmqpConnection, type AmqpConnectionOptions } from './amqp-connection';
import { toRheaMessage } from './amqp-message.codec';

interface Pending {
  resolve: () => void;
  reject: (e: MessagingError) => void;
  timer: NodeJS.Timeout;
}

/**
 * Sends to AMQP 1.0 addresses. With `awaitAck` the message goes unsettled and the promise follows the
 * broker's outcome (accepted → resolve; rejected → REJECTED; released/modified → RELEASED, retryable);
 * without it the message goes pre-settled on a separate link (Hono's QoS 0 telemetry).
 */
export class AmqpSender extends MessageSender {
  private readonly connection: AmqpConnection;
  private readonly links = new Map<string, Promise<Sender>>();
  private readonly pending = new Map<Delivery, Pending>();

  constructor(
    options: AmqpConnectionOptions,
    private readonly defaultTimeoutMs = 10_000,
  ) {
    super();
    this.connection = new AmqpConnection(options);
    this.connection.onDisconnect((error) => {
      this.links.clear();
      this.failAll(error);
    });
  }

  get status(): string {
    return this.connection.status;
  }

  async start(): Promise<void> {
    await this.connection.open();
  }

  async stop(): Promise<void> {
    this.failAll(new MessagingError('CLOSED', 'sender stopped', true));
    this.links.clear();
    await this.connection.close();
  }

  async send(destination: string, message: Message, options: SendOptions): Promise<void> {
    const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
    const link = await withTimeout(
      this.link(destination, !options.awaitAck),
      timeoutMs,
      destination,
    );
    await withTimeout(waitSendable(link), timeoutMs, destination);
    const delivery = link.send(toRheaMessage(traced(message)));
    if (!options.awaitAck) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(delivery);
        reject(
          new MessagingError(
            'TIMEOUT',
            `no outcome from ${destination} within ${String(timeoutMs)} ms`,
            true,
          ),
        );
      }, timeoutMs);
      this.pending.set(delivery, { resolve, reject, timer });
    });
  }

  private link(address: string, presettled: boolean): Promise<Sender> {
    const key = `${presettled ? 's' : 'u'}:${address}`;
    let link = this.links.get(key);
    if (!link) {
      link = this.openLink(address, presettled);
      this.links.set(key, link);
      link.catch(() => this.links.delete(key));
    }
    return link;
  }

  private async openLink(address: string, presettled: boolean): Promise<Sender> {
    const connection = await this.connection.open();
    const sender = connection.open_sender({
      target: { address },
      autosettle: true,
      ...(presettled ? { snd_settle_mode: 1 } : {}),
    });
    sender.on('accepted', (ctx: EventContext) => {
      this.settle(ctx.delivery);
    });
    sender.on('rejected', (ctx: EventContext) => {
      const condition = (
        ctx.delivery as { remote_state?: { error?: { description?: string } } } | undefined
      )?.remote_state?.error?.description;
      this.settle(
        ctx.delivery,
        new MessagingError(
          'REJECTED',
          `${address} rejected the message${condition ? `: ${condition}` : ''}`,
          false,
        ),
      );
    });
    const released = (ctx: EventContext): void => {
      this.settle(
        ctx.delivery,
        new MessagingError('RELEASED', `${address} released the message`, true),
      );
    };
    sender.on('released', released);
    sender.on('modified', released);
    sender.on('sender_error', () => undefined);
    sender.on('sender_close', () => {
      this.links.delete(`${presettled ? 's' : 'u'}:${address}`);
      for (const [delivery, p] of this.pending) {
        if ((delivery as { link?: unknown }).link === sender) {
          this.pending.delete(delivery);
          clearTimeout(p.timer);
          p.reject(new MessagingError('UNAVAILABLE', `link to ${address} closed`, true));
        }
      }
    });
    await new Promise<void>((resolve, reject) => {
      sender.once('sender_open', () => {
        resolve();
      });
      sender.once('sender_close', (ctx: EventContext) => {
        const err = ctx.sender?.error as { description?: string } | undefined;
        reject(
          new MessagingError(
            'UNAVAILABLE',
            `cannot attach to ${address}: ${err?.description ?? 'refused'}`,
            true,
          ),
        );
      });
    });
    return sender;
  }

  private settle(delivery: Delivery | undefined, error?: MessagingError): void {
    if (!delivery) return;
    const p = this.pending.get(delivery);
    if (!p) return;
    this.pending.delete(delivery);
    clearTimeout(p.timer);
    if (error) p.reject(error);
    else p.resolve();
  }

  private failAll(error: MessagingError): void {
    for (const [delivery, p] of this.pending) {
      this.pending.delete(delivery);
      clearTimeout(p.timer);
      p.reject(error);
    }
  }
}

/** The message with the active trace context in its application properties (W3C traceparent). */
export function traced(message: Message): Message {
  if (message.properties?.['traceparent'] !== undefined) return message;
  const properties = injectTraceContext({ ...message.properties });
  return properties['traceparent'] === undefined ? message : { ...message, properties };
}

/** Resolves once the link has credit. */
export function waitSendable(link: Sender): Promise<void> {
  if (link.sendable()) return Promise.resolve();
  return new Promise((resolve) => {
    const onSendable = (): void => {
      if (link.sendable()) {
        link.removeListener('sendable', onSendable);
        resolve();
      }
    };
    link.on('sendable', onSendable);
  });
}

/** Races `promise` against a retryable TIMEOUT. */
export function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(
        new MessagingError('TIMEOUT', `${what}: no answer within ${String(timeoutMs)} ms`, true),
      );
    }, timeoutMs);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
