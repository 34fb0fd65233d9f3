import type { Connection, Delivery, Sender } from 'rhea';

import { type Message, MessageSender, MessagingError, type SendOptions } from '@tessera/messaging';

import { toRheaMessage } from './amqp-message.codec';
import { traced } from './amqp-sender';

interface Pending {
  readonly link: Sender;
  readonly resolve: () => void;
  readonly reject: (error: MessagingError) => void;
  readonly timer: NodeJS.Timeout;
}

/** How a consumer settled a message. */
export type NorthboundOutcome = 'accepted' | 'rejected' | 'released' | 'modified';

/**
 * Hono's northbound AMQP 1.0 addresses (`telemetry/<tenant>`, `event/<tenant>`) served by an
 * {@link AmqpServer} itself, the way Hono's AMQP messaging network (a Qpid Dispatch Router) routes
 * them: business applications attach receivers; each message goes to one receiver of its address
 * that has credit (competing consumers, in turn). Nothing is stored: a message for an address
 * without a consumer with credit fails with a retryable `UNAVAILABLE` (an adapter answers 503, as
 * Hono's do), and an acknowledged send resolves only once the consumer accepted it.
 *
 * As a {@link MessageSender} it is what adapters and the provisioning-notification service send
 * to in the embedded app when no Kafka is configured.
 */
export class AmqpNorthboundRouter extends MessageSender {
  private readonly consumers = new Map<string, Sender[]>();
  private readonly pending = new Map<Delivery, Pending>();
  private readonly turn = new Map<string, number>();

  constructor(
    private readonly endpoints: readonly string[] = ['telemetry', 'event'],
    private readonly defaultTimeoutMs = 10_000,
  ) {
    super();
  }

  /** Whether `address` is a northbound address this router serves (`<endpoint>/<tenant>`). */
  serves(address: string): boolean {
    const [endpoint, tenant, ...rest] = address.split('/');
    return (
      endpoint !== undefined &&
      this.endpoints.includes(endpoint) &&
      tenant !== undefined &&
      tenant !== '' &&
      rest.length === 0
    );
  }

  /** A consumer's receiver attached: messages for `address` may go out on `link`. */
  attach(link: Sender, address: string): void {
    const links = this.consumers.get(address) ?? [];
    links.push(link);
    this.consumers.set(address, links);
  }

  /** A consumer's link closed: it gets nothing more, and what it had not settled fails. */
  detach(link: Sender): void {
    for (const [address, links] of this.consumers) {
      const rest = links.filter((l) => l !== link);
      if (rest.length === 0) this.consumers.delete(address);
      else this.consumers.set(address, rest);
    }
    // rhea reports dispositions after the detach and close that arrived with them: let them
    // settle first (a consumer that accepts and then disconnects did accept).
    const unsettled = [...this.pending].filter(([, p]) => p.link === link).map(([d]) => d);
    if (unsettled.length === 0) return;
    setImmediate(() => {
      for (const delivery of unsettled) this.fail(delivery, 'consumer went away before settling');
    });
  }

  /** Every link of a closed connection goes. */
  detachConnection(connection: Connection): void {
    for (const links of [...this.consumers.values()]) {
      for (const link of links) if (link.connection === connection) this.detach(link);
    }
  }

  /** A consumer settled a delivery. */
  settle(delivery: Delivery, outcome: NorthboundOutcome): void {
    const p = this.pending.get(delivery);
    if (p === undefined) return;
    this.pending.delete(delivery);
    clearTimeout(p.timer);
    if (outcome === 'accepted') p.resolve();
    else if (outcome === 'rejected')
      p.reject(new MessagingError('REJECTED', 'the consumer rejected the message', false));
    else p.reject(new MessagingError('RELEASED', 'the consumer released the message', true));
  }

  start(): Promise<void> {
    return Promise.resolve();
  }

  stop(): Promise<void> {
    for (const delivery of [...this.pending.keys()]) this.fail(delivery, 'router stopped');
    this.consumers.clear();
    return Promise.resolve();
  }

  /** How many consumer links are attached to `address`. */
  consumerCount(address: string): number {
    return this.consumers.get(address)?.length ?? 0;
  }

  send(destination: string, message: Message, options: SendOptions): Promise<void> {
    const link = this.nextWithCredit(destination);
    if (link === undefined) {
      return Promise.reject(
        new MessagingError('UNAVAILABLE', `no consumer with credit for ${destination}`, true),
      );
    }
    const delivery = link.send(toRheaMessage(traced(message)));
    if (!options.awaitAck) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(delivery, 'the consumer did not settle in time', 'TIMEOUT');
      }, options.timeoutMs ?? this.defaultTimeoutMs);
      this.pending.set(delivery, { link, resolve, reject, timer });
    });
  }

  private nextWithCredit(address: string): Sender | undefined {
    const links = this.consumers.get(address);
    if (links === undefined || links.length === 0) return undefined;
    const start = this.turn.get(address) ?? 0;
    for (let i = 0; i < links.length; i++) {
      const link = links[(start + i) % links.length];
      if (link?.is_open() && link.sendable()) {
        this.turn.set(address, (start + i + 1) % links.length);
        return link;
      }
    }
    return undefined;
  }

  private fail(
    delivery: Delivery,
    why: string,
    code: 'UNAVAILABLE' | 'TIMEOUT' = 'UNAVAILABLE',
  ): void {
    const p = this.pending.get(delivery);
    if (p === undefined) return;
    this.pending.delete(delivery);
    clearTimeout(p.timer);
    p.reject(new MessagingError(code, why, true));
  }
}
