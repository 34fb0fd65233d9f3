import type { Message, ReceivedMessage } from './message';
import {
  type MessageHandler,
  MessageReceiver,
  MessageSender,
  type SendOptions,
  type SubscribeOptions,
  type Subscription,
} from './ports';

/**
 * A broker inside one process, for embedded mode without Kafka: every subscription to a destination
 * gets every message sent to it after it subscribed (Kafka consumer-group semantics with one group per
 * subscription). A failing handler is retried a few times with back-off; the sender does not wait
 * for handlers beyond the first attempt, as a broker would not.
 */
export class InProcessBroker {
  private readonly subscribers = new Map<string, Set<MessageHandler>>();

  constructor(private readonly retries = 5) {}

  readonly sender: MessageSender = new (class extends MessageSender {
    constructor(private readonly broker: InProcessBroker) {
      super();
    }
    async start(): Promise<void> {
      // Nothing to connect.
    }
    async stop(): Promise<void> {
      // Nothing to close.
    }
    send(destination: string, message: Message, _options: SendOptions): Promise<void> {
      this.broker.publish(destination, message);
      return Promise.resolve();
    }
  })(this);

  readonly receiver: MessageReceiver = new (class extends MessageReceiver {
    constructor(private readonly broker: InProcessBroker) {
      super();
    }
    async start(): Promise<void> {
      // Nothing to connect.
    }
    stop(): Promise<void> {
      this.broker.subscribers.clear();
      return Promise.resolve();
    }
    subscribe(
      source: string,
      handler: MessageHandler,
      _options?: SubscribeOptions,
    ): Promise<Subscription> {
      return Promise.resolve(this.broker.add(source, handler));
    }
  })(this);

  private add(source: string, handler: MessageHandler): Subscription {
    let set = this.subscribers.get(source);
    if (!set) {
      set = new Set();
      this.subscribers.set(source, set);
    }
    set.add(handler);
    return {
      close: () => {
        this.subscribers.get(source)?.delete(handler);
        return Promise.resolve();
      },
    };
  }

  private publish(destination: string, message: Message): void {
    const received: ReceivedMessage = { ...message, source: destination };
    for (const handler of this.subscribers.get(destination) ?? [])
      void this.deliver(handler, received, 0);
  }

  private async deliver(
    handler: MessageHandler,
    message: ReceivedMessage,
    attempt: number,
  ): Promise<void> {
    try {
      await handler(message);
    } catch {
      if (attempt >= this.retries) return;
      await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
      await this.deliver(handler, message, attempt + 1);
    }
  }
}
