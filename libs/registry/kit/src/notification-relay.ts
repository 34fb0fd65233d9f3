import {
  type FactoryProvider,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';

import { MessagingError, type MessageSender } from '@tessera/messaging';
import { NOTIFICATION_SENDER } from '@tessera/messaging-nest';
import type { OutboxMessage, OutboxReader } from '@tessera/persistence';
import { counter, histogram } from '@tessera/telemetry';

const outboxAge = histogram(
  'tessera.outbox.age',
  'Age of the oldest unpublished outbox message each time the relay reads the outbox',
  's',
);

/** Options of a {@link NotificationRelay}. */
export interface NotificationRelayOptions {
  /** How often to look for unpublished messages (a write also triggers a look at once). */
  readonly intervalMs: number;
  /** Messages read per round. */
  readonly batchSize: number;
}

/**
 * Publishes a repository's outbox in order and acknowledges what the broker accepted. A broker outage
 * only delays delivery: messages stay in the store until published, across restarts (at least once;
 * a crash between publish and acknowledge sends a message twice).
 */
export class NotificationRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger: Logger;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly name: string,
    private readonly outbox: OutboxReader,
    private readonly sender: MessageSender,
    private readonly options: NotificationRelayOptions = { intervalMs: 1_000, batchSize: 100 },
  ) {
    this.logger = new Logger(`relay:${name}`);
  }

  onApplicationBootstrap(): void {
    this.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.trigger();
    }, this.options.intervalMs);
    this.timer.unref();
    this.trigger();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Publishes pending messages now (coalesced with a round already under way). */
  trigger(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain().finally(() => {
      this.running = undefined;
      if (this.again && this.timer) {
        this.again = false;
        this.trigger();
      }
    });
  }

  /** Publishes until the outbox is empty or the broker refuses; resolves when done. */
  async drain(): Promise<void> {
    for (;;) {
      let batch: OutboxMessage[];
      try {
        batch = await this.outbox.pendingNotifications(this.options.batchSize);
      } catch (e) {
        this.logger.warn(`cannot read the outbox: ${e instanceof Error ? e.message : String(e)}`);
        return;
      }
      const oldest = batch[0];
      outboxAge.record(
        oldest === undefined ? 0 : (Date.now() - oldest.createdAt.getTime()) / 1000,
        {
          relay: this.name,
        },
      );
      if (batch.length === 0) return;
      const published: string[] = [];
      try {
        for (const m of batch) {
          await this.sender.send(
            m.topic,
            {
              key: m.key,
              contentType: 'application/json',
              body: Buffer.from(JSON.stringify(m.payload)),
            },
            { awaitAck: true },
          );
          published.push(m.id);
        }
      } catch (e) {
        const reason = e instanceof MessagingError ? e.code : 'error';
        this.logger.warn(
          `${String(batch.length - published.length)} notification(s) not published yet (${reason}); will retry`,
        );
      }
      if (published.length > 0) {
        await this.outbox.acknowledgeNotifications(published);
        counter('tessera.notifications.published', 'Registry change notifications published').add(
          published.length,
          { relay: this.name },
        );
      }
      if (published.length < batch.length) return;
    }
  }
}

/**
 * A Nest provider for a service's relay: reads the outbox of `repository` (a DI token) and sends
 * through the app's notification sender; Nest starts and stops it with the app.
 */
export function notificationRelayProvider(
  token: symbol,
  name: string,
  repository: abstract new (...args: never[]) => OutboxReader,
): FactoryProvider<NotificationRelay> {
  return {
    provide: token,
    useFactory: (outbox: OutboxReader, sender: MessageSender) =>
      new NotificationRelay(name, outbox, sender, { intervalMs: 500, batchSize: 100 }),
    inject: [repository, NOTIFICATION_SENDER],
  };
}
