import { type Message, MessageSender, MessagingError, type SendOptions } from '@tessera/messaging';
import type { NewOutboxMessage, OutboxMessage, OutboxReader } from '@tessera/persistence';

import { NotificationRelay } from './notification-relay';

class MemoryOutbox implements OutboxReader {
  readonly items: OutboxMessage[] = [];
  add(m: NewOutboxMessage): void {
    this.items.push({ ...m, id: String(this.items.length + Math.random()), createdAt: new Date() });
  }
  async pendingNotifications(limit: number): Promise<OutboxMessage[]> {
    return this.items.slice(0, limit);
  }
  async acknowledgeNotifications(ids: readonly string[]): Promise<void> {
    for (const id of ids) {
      const i = this.items.findIndex((m) => m.id === id);
      if (i >= 0) this.items.splice(i, 1);
    }
  }
}

class FlakySender extends MessageSender {
  readonly sent: { topic: string; key?: string | undefined; body: string }[] = [];
  failAfter = Infinity;
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  async send(topic: string, m: Message, _o: SendOptions): Promise<void> {
    if (this.sent.length >= this.failAfter)
      throw new MessagingError('UNAVAILABLE', 'broker down', true);
    this.sent.push({ topic, key: m.key, body: m.body?.toString() ?? '' });
  }
}

describe(NotificationRelay.name, () => {
  it('publishes in order, acknowledges, and keeps what the broker refused for later', async () => {
    const outbox = new MemoryOutbox();
    const sender = new FlakySender();
    for (const n of [1, 2, 3])
      outbox.add({
        topic: 'hono.notification.registry-device',
        key: `d${String(n)}`,
        payload: { n },
      });
    sender.failAfter = 2;
    const sut = new NotificationRelay('device', outbox, sender, {
      intervalMs: 10_000,
      batchSize: 2,
    });

    await sut.drain();
    expect(sender.sent.map((s) => s.key)).toEqual(['d1', 'd2']);
    expect(outbox.items.map((m) => m.key)).toEqual(['d3']);

    sender.failAfter = Infinity;
    await sut.drain();
    expect(sender.sent.map((s) => s.key)).toEqual(['d1', 'd2', 'd3']);
    expect(sender.sent[2]?.body).toBe('{"n":3}');
    expect(outbox.items).toEqual([]);
  });
});
