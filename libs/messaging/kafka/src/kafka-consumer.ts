import type { Consumer, Kafka } from 'kafkajs';

import {
  type MessageHandler,
  MessageReceiver,
  type SubscribeOptions,
  type Subscription,
} from '@tessera/messaging';

import { ensureTopics } from './kafka-admin';
import { createKafka, type KafkaConnectionOptions } from './kafka.config';
import { fromKafkaMessage } from './kafka-headers.codec';

/**
 * Consumes Kafka topics in a consumer group, at least once (one kafkajs consumer per subscription,
 * so subscriptions to different topics need different group ids: kafkajs expects every member of
 * a group to subscribe to the same topics): an offset is committed only after the
 * handler resolved for that record; a failing handler makes kafkajs seek back and redeliver.
 */
export class KafkaConsumer extends MessageReceiver {
  private readonly kafka: Kafka;
  private readonly consumers = new Set<Consumer>();

  constructor(
    private readonly options: KafkaConnectionOptions,
    private readonly defaultGroupId: string,
  ) {
    super();
    this.kafka = createKafka(options);
  }

  async start(): Promise<void> {
    // Connections are made per subscription.
  }

  async stop(): Promise<void> {
    await Promise.all([...this.consumers].map((c) => c.disconnect()));
    this.consumers.clear();
  }

  async subscribe(
    source: string,
    handler: MessageHandler,
    options: SubscribeOptions = {},
  ): Promise<Subscription> {
    const consumer = this.kafka.consumer({
      groupId: options.groupId ?? this.defaultGroupId,
      maxWaitTimeInMs: 250,
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
      rebalanceTimeout: 10_000,
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 200, maxRetryTime: 2_000 },
    });
    // A topic nobody has written to yet (e.g. notifications on a fresh cluster) must not stop a
    // service from starting: create it (a no-op when it exists) before subscribing.
    await ensureTopics(this.options, [source]);
    await consumer.connect();
    this.consumers.add(consumer);
    await consumer.subscribe({ topic: source, fromBeginning: options.fromBeginning ?? false });
    const joined = new Promise<void>((resolve) => {
      consumer.on(consumer.events.GROUP_JOIN, () => {
        resolve();
      });
    });
    await consumer.run({
      autoCommit: true,
      autoCommitInterval: 200,
      eachMessage: async ({ topic, message }) => {
        await handler(fromKafkaMessage(topic, message));
      },
    });
    await joined;
    return {
      close: async () => {
        this.consumers.delete(consumer);
        await consumer.disconnect();
      },
    };
  }
}
