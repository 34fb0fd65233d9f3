import { describeDeviceRepositoryContract } from '@tessera/persistence-testing';
import { infraEnv, runProgram, uniqueId } from '@tessera/testing';

import { openPostgres } from './data-source';
import { PostgresDeviceRepository } from './postgres-device.repository';

const { postgresUrl } = infraEnv();

describeDeviceRepositoryContract('PostgreSQL', async () => {
  const dataSource = await openPostgres({ url: postgresUrl, schema: uniqueId('contract') });
  return new PostgresDeviceRepository(dataSource);
});

describe('PostgreSQL device table', () => {
  it('has its indexes, and psql sees a stored device with its keys and status', async () => {
    const schema = uniqueId('dev');
    const repo = new PostgresDeviceRepository(await openPostgres({ url: postgresUrl, schema }));
    await repo.create(
      'tenant-a',
      'psql-check',
      { document: { enabled: true }, via: ['gw-1', 'gw-2'], viaGroups: [], memberOf: ['g'] },
      { autoProvisioned: true },
      [],
    );
    await repo.close();

    const psql = await runProgram('psql', [
      postgresUrl,
      '-At',
      '-c',
      `SELECT indexname FROM pg_indexes WHERE schemaname = '${schema}' AND tablename = 'device' ORDER BY indexname;
       SELECT tenant_id || '|' || id || '|' || (document->>'enabled') || '|' || array_to_string(via, ',')
         || '|' || array_to_string(member_of, ',') || '|' || auto_provisioned || '|' || notification_sent
         || '|' || (updated_at IS NULL) FROM ${schema}.device;`,
    ]);
    expect(psql.stderr).toBe('');
    expect(psql.stdout.trim().split('\n')).toEqual([
      'device_member_of_idx',
      'device_pkey',
      'device_unnotified_idx',
      'device_via_idx',
      'tenant-a|psql-check|true|gw-1,gw-2|g|true|false|true',
    ]);
  });
});

describe('PostgreSQL device look-ups', () => {
  it('lets a look-up PostgreSQL refuses fail alone, not the others read in the same batch', async () => {
    const repo = new PostgresDeviceRepository(
      await openPostgres({ url: postgresUrl, schema: uniqueId('batch') }),
    );
    try {
      const device = { document: { enabled: true }, via: [], viaGroups: [], memberOf: [] };
      await repo.create('t', 'a', device, {}, []);
      await repo.create('t', 'b', device, {}, []);
      // PostgreSQL text cannot hold NUL: that statement fails (22021).
      const found = await Promise.allSettled([
        repo.findById('t', 'a'),
        repo.findById('t', 'bad\u0000id'),
        repo.findById('t', 'b'),
        repo.findById('t', 'c'),
      ]);
      expect(found.map((f) => f.status)).toEqual([
        'fulfilled',
        'rejected',
        'fulfilled',
        'fulfilled',
      ]);
      expect(found.map((f) => (f.status === 'fulfilled' ? f.value?.id : 'error'))).toEqual([
        'a',
        'error',
        'b',
        undefined,
      ]);
    } finally {
      await repo.close();
    }
  });
});
