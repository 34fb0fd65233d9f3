import { describeTenantRepositoryContract } from '@tessera/persistence-testing';
import { infraEnv, runProgram, uniqueId } from '@tessera/testing';

import { openPostgres } from './data-source';
import { PostgresTenantRepository } from './postgres-tenant.repository';

const { postgresUrl } = infraEnv();

describeTenantRepositoryContract('PostgreSQL', async () => {
  const dataSource = await openPostgres({ url: postgresUrl, schema: uniqueId('contract') });
  return new PostgresTenantRepository(dataSource);
});

describe('PostgreSQL migrations', () => {
  it('creates the schema once and records the migration, as psql sees it', async () => {
    const schema = uniqueId('migr');
    const first = await openPostgres({ url: postgresUrl, schema });
    await first.destroy();
    // Running again must be a no-op, not a failure.
    const second = await openPostgres({ url: postgresUrl, schema });
    const repo = new PostgresTenantRepository(second);
    await repo.create('psql-check', { enabled: true }, { subjectDns: ['CN=x'] }, []);
    await repo.close();

    const psql = await runProgram('psql', [
      postgresUrl,
      '-At',
      '-c',
      `SELECT name FROM ${schema}.migrations; SELECT id || '|' || (document->>'enabled') || '|' || array_to_string(subject_dns, ',') FROM ${schema}.tenant;`,
    ]);
    expect(psql.stderr).toBe('');
    expect(psql.stdout.trim().split('\n')).toEqual([
      'Tenant1763800000000',
      'Outbox1763800000001',
      'Device1763800000002',
      'Credentials1763800000003',
      'DeviceGroups1763800000004',
      'TenantTopicName1763800000005',
      'CredentialsDeviceCreated1763800000006',
      'psql-check|true|CN=x',
    ]);
  });

  it('indexes tenant ids as Kafka sees them, for the collision check', async () => {
    const schema = uniqueId('topic');
    const repo = new PostgresTenantRepository(await openPostgres({ url: postgresUrl, schema }));
    await repo.create('a.b', { enabled: true }, { subjectDns: [] }, []);
    expect(await repo.findIdsCollidingWith('a_b')).toEqual(['a.b']);
    await repo.close();
    const psql = await runProgram('psql', [
      postgresUrl,
      '-At',
      '-c',
      `SET enable_seqscan = off;
       EXPLAIN (COSTS OFF) SELECT id FROM ${schema}.tenant
         WHERE translate(id, '.', '_') = translate('a_b', '.', '_') AND id <> 'a_b';`,
    ]);
    expect(psql.stderr).toBe('');
    expect(psql.stdout).toContain('tenant_topic_name_idx');
  });
});
