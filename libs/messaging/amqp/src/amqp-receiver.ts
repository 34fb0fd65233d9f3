import type { EventContext, Receiver } from 'rhea';

import {
  type MessageHandler,
  MessageReceiver,
  type SubscribeOptions,
  type Subscription,
} from '@tessera/messaging';

import { AmqpConnection, type AmqpConnectionOptions } from './amqp-connection';
import { fromRheaMessage } from './amqp-message.codec';

/**
 * Receives from AMQP 1.0 addresses with explicit credit (`prefetch`). A delivery is accepted only after
 * the handler resolved; a failing handler releases it, so the broker delivers it again.
 */
export class AmqpReceiver extends MessageReceiver {
  private readonly connection: AmqpConnection;
  private readonly subscriptions = new Set<Subscription>();

  constructor(options: AmqpConnectionOptions) {
    super();
    this.connection = new AmqpConnection(options);
  }

  async start(): Promise<void> {
    await this.connection.open();
  }

  async stop(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    await this.connection.close();
  }

  async subscribe(
    source: string,
    handler: MessageHandler,
    options: SubscribeOptions = {},
  ): Promise<Subscription> {
    const connection = await this.connection.open();
    const prefetch = options.prefetch ?? 50;
    // Credit is granted by hand, one per settled delivery, so at most `prefetch` are ever unsettled
    // (rhea's automatic credit window refills on arrival, not on settlement).
    const link: Receiver = connection.open_receiver({
      source: { address: source },
      autoaccept: false,
      credit_window: 0,
    });
    let inFlight = 0;
    let drained: (() => void) | undefined;
    link.on('message', (ctx: EventContext) => {
      const delivery = ctx.delivery;
      if (!ctx.message || !delivery) return;
      inFlight++;
      handler(fromRheaMessage(source, ctx.message))
        .then(
          () => {
            delivery.accept();
          },
          () => {
            delivery.release({ delivery_failed: true });
          },
        )
        .finally(() => {
          inFlight--;
          if (link.is_open()) link.add_credit(1);
          if (inFlight === 0) drained?.();
        });
    });
    link.on('receiver_error', () => undefined);
    await new Promise<void>((resolve) =>
      link.once('receiver_open', () => {
        resolve();
      }),
    );
    link.add_credit(prefetch);
    const subscription: Subscription = {
      close: async (drainTimeoutMs = 5_000) => {
        this.subscriptions.delete(subscription);
        if (inFlight > 0) {
          await new Promise<void>((resolve) => {
            drained = resolve;
            setTimeout(resolve, drainTimeoutMs);
          });
        }
        if (link.is_open()) link.close();
      },
    };
    this.subscriptions.add(subscription);
    return subscription;
  }
}
