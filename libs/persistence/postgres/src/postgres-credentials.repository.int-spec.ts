import { describeCredentialsRepositoryContract } from '@tessera/persistence-testing';
import { infraEnv, runProgram, uniqueId } from '@tessera/testing';

import { openPostgres } from './data-source';
import { PostgresCredentialsRepository } from './postgres-credentials.repository';

const { postgresUrl } = infraEnv();

describeCredentialsRepositoryContract('PostgreSQL', async () => {
  const dataSource = await openPostgres({ url: postgresUrl, schema: uniqueId('contract') });
  return new PostgresCredentialsRepository(dataSource);
});

describe('PostgreSQL credentials tables', () => {
  it('hold the set as a jsonb array and one key row per credential, as psql sees them', async () => {
    const schema = uniqueId('cred');
    const repo = new PostgresCredentialsRepository(
      await openPostgres({ url: postgresUrl, schema }),
    );
    const pwd = { type: 'hashed-password', 'auth-id': 'sensor1', secrets: [{ 'pwd-hash': 'h' }] };
    const psk = { type: 'psk', 'auth-id': 'sensor1', secrets: [{ key: 'k' }] };
    await repo.replace(
      't',
      'd1',
      [pwd, psk],
      [
        { type: 'hashed-password', authId: 'sensor1' },
        { type: 'psk', authId: 'sensor1' },
      ],
      undefined,
      [],
    );
    await expect(
      repo.replace('t', 'd2', [psk], [{ type: 'psk', authId: 'sensor1' }], undefined, []),
    ).rejects.toMatchObject({ status: 409 });
    await repo.close();

    const psql = await runProgram('psql', [
      postgresUrl,
      '-At',
      '-c',
      `SELECT device_id || '|' || jsonb_typeof(credentials) || '|' || jsonb_array_length(credentials) FROM ${schema}.credentials;
       SELECT device_id || '|' || type || '|' || auth_id FROM ${schema}.credential_key ORDER BY type;`,
    ]);
    expect(psql.stderr).toBe('');
    expect(psql.stdout.trim().split('\n')).toEqual([
      'd1|array|2',
      'd1|hashed-password|sensor1',
      'd1|psk|sensor1',
    ]);
  });
});
