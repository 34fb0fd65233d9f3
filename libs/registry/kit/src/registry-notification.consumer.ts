import {
  type Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';

import {
  jsonBody,
  type MessageReceiver,
  type ReceivedMessage,
  type Subscription,
} from '@tessera/messaging';
import {
  type NotificationTopic,
  type RegistryNotification,
  RegistryNotificationSchema,
} from '@tessera/registry-api';

/**
 * A registry service's reaction to another one's change notifications (the clean-ups that keep
 * each service's own store consistent with the others'). One consumer group for all instances, so
 * each notification is handled once, read from the beginning of the topic by a new group, so that
 * none published before the first start is missed. A malformed notification is logged and skipped;
 * a handler that throws leaves the notification to be delivered again.
 */
export abstract class RegistryNotificationConsumer
  implements OnApplicationBootstrap, OnApplicationShutdown
{
  private subscription: Subscription | undefined;

  protected constructor(
    private readonly receiver: MessageReceiver,
    private readonly topic: NotificationTopic,
    private readonly groupId: string,
    protected readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.subscription = await this.receiver.subscribe(
      this.topic.toString(),
      (m) => this.handle(m),
      { groupId: this.groupId, fromBeginning: true },
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscription?.close();
  }

  async handle(message: ReceivedMessage): Promise<void> {
    let notification: RegistryNotification;
    try {
      notification = RegistryNotificationSchema.parse(jsonBody(message));
    } catch {
      this.logger.warn('ignoring a malformed registry notification');
      return;
    }
    await this.onNotification(notification);
  }

  protected abstract onNotification(notification: RegistryNotification): Promise<void>;
}
