import type { NewOutboxMessage } from '@tessera/persistence';
import {
  notificationKeyOf,
  notificationTopicOf,
  type RegistryNotification,
} from '@tessera/registry-api';

/** The outbox form of a registry change notification: Hono's topic, key and JSON. */
export function outboxMessageOf(notification: RegistryNotification): NewOutboxMessage {
  return {
    topic: notificationTopicOf(notification).toString(),
    key: notificationKeyOf(notification),
    payload: notification,
  };
}
