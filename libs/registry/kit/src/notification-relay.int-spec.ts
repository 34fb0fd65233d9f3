import { ensureTopics, KafkaSender } from '@tessera/messaging-kafka';
import { openPostgres, PostgresTenantRepository } from '@tessera/persistence-postgres';
import { NotificationTopic, tenantChangeNotification, type TenantId } from '@tessera/registry-api';
import { infraEnv, runProgram, uniqueId } from '@tessera/testing';

import { NotificationRelay } from './notification-relay';
import { outboxMessageOf } from './outbox-message';

const { kafkaBrokers, postgresUrl } = infraEnv();

describe('registry change notifications through the outbox to Kafka', () => {
  it('keeps notifications while Kafka is unreachable and delivers them, in order, once it is back', async () => {
    const repo = new PostgresTenantRepository(
      await openPostgres({ url: postgresUrl, schema: uniqueId('relay') }),
    );
    const topic = NotificationTopic.REGISTRY_TENANT.toString();
    await ensureTopics({ brokers: kafkaBrokers, clientId: 'relay-it' }, [topic]);
    const tenant = uniqueId('t') as TenantId;
    try {
      await repo.create(tenant, { enabled: true }, { subjectDns: [] }, [
        outboxMessageOf(tenantChangeNotification('CREATE', tenant, true, false)),
      ]);
      await repo.update(tenant, { enabled: false }, { subjectDns: [] }, undefined, [
        outboxMessageOf(tenantChangeNotification('UPDATE', tenant, false, false)),
      ]);

      // Kafka "down": nothing listens on port 1.
      const dead = new KafkaSender(
        { brokers: ['127.0.0.1:1'], clientId: 'relay-dead', connectionTimeoutMs: 300 },
        1_500,
      );
      await new NotificationRelay('tenant', repo, dead).drain();
      await dead.stop().catch(() => undefined);
      const kept = (await repo.pendingNotifications(100)).filter((m) => m.key === tenant);
      expect(kept.map((m) => m.payload['change'])).toEqual(['CREATE', 'UPDATE']);

      const live = new KafkaSender({ brokers: kafkaBrokers, clientId: 'relay-live' });
      await new NotificationRelay('tenant', repo, live).drain();
      await live.stop();
      expect((await repo.pendingNotifications(100)).filter((m) => m.key === tenant)).toEqual([]);

      // kcat, a client nobody here wrote, reads Hono's notification format from the topic.
      const kcat = await runProgram('kcat', [
        '-b',
        kafkaBrokers.join(','),
        '-C',
        '-t',
        topic,
        '-o',
        'beginning',
        '-e',
        '-q',
        '-f',
        '%k\t%h\t%s\n',
      ]);
      const mine = kcat.stdout
        .split('\n')
        .filter((line) => line.startsWith(`${tenant}\t`))
        .map((line) => line.split('\t'));
      expect(mine.map(([, headers]) => headers)).toEqual([
        'content-type=application/json',
        'content-type=application/json',
      ]);
      const bodies = mine.map(([, , body]) => JSON.parse(body ?? '{}') as Record<string, unknown>);
      expect(bodies.map((b) => [b['type'], b['change'], b['tenant-id'], b['enabled']])).toEqual([
        ['tenant-change-v1', 'CREATE', tenant, true],
        ['tenant-change-v1', 'UPDATE', tenant, false],
      ]);
    } finally {
      await repo.close();
    }
  });
});
