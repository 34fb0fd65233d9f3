import { describeTenantRepositoryContract } from '@tessera/persistence-testing';
import { infraEnv, runProgram, uniqueId } from '@tessera/testing';

import { Collections } from './indexes';
import { openMongo } from './mongo.connection';
import { MongoTenantRepository } from './mongo-tenant.repository';

const { mongodbUri } = infraEnv();

describeTenantRepositoryContract('MongoDB', async () => {
  const store = await openMongo({ uri: mongodbUri, database: uniqueId('contract') });
  return new MongoTenantRepository(store.db, () => store.close());
});

describe('MongoDB indexes', () => {
  it('reject a duplicate alias through the driver, and pymongo sees the stored tenant', async () => {
    const database = uniqueId('idx');
    const store = await openMongo({ uri: mongodbUri, database });
    const tenants = store.db.collection(Collections.tenants);
    await tenants.insertOne({ _id: 'a' as never, aliasKey: 'shared' });
    await expect(
      tenants.insertOne({ _id: 'b' as never, aliasKey: 'shared' }),
    ).rejects.toMatchObject({ code: 11000 });

    const repo = new MongoTenantRepository(store.db, () => store.close());
    await repo.create('pymongo-check', { enabled: true, ext: { k: 'v' } }, { subjectDns: [] }, []);
    await repo.close();

    const script = [
      'import sys, json, pymongo',
      'c = pymongo.MongoClient(sys.argv[1], serverSelectionTimeoutMS=5000)',
      'd = c[sys.argv[2]]["tenants"].find_one({"_id": "pymongo-check"})',
      'print(json.dumps({"doc": d["document"], "indexes": sorted(c[sys.argv[2]]["tenants"].index_information().keys())}))',
    ].join('\n');
    const py = await runProgram('/usr/bin/python3', ['-c', script, mongodbUri, database]);
    expect(py.stderr).toBe('');
    const seen = JSON.parse(py.stdout) as { doc: unknown; indexes: string[] };
    expect(seen.doc).toEqual({ enabled: true, ext: { k: 'v' } });
    expect(seen.indexes).toEqual(
      expect.arrayContaining(['_id_', 'tenant_alias_uq', 'tenant_subject_dns']),
    );
  });
});
