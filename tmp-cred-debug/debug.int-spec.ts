import { uniqueId, infraEnv } from '@tessera/testing';
import { openMongo, MongoCredentialsRepository, Collections } from '@tessera/persistence-mongo';

const { mongodbUri } = infraEnv();
jest.setTimeout(600_000);
for (const retention of [60_000]) {
  it(`invariant holds under random contention (lease 0, retention ${retention})`, async () => {
    const store = await openMongo({ uri: mongodbUri, database: uniqueId('dbg') });
    const repo = new MongoCredentialsRepository(store.db, undefined, { revisionRetentionMs: retention });
    const psk = (a: string) => ({ type: 'psk', 'auth-id': a, secrets: [] });
    const devices = ['a', 'b', 'c', 'd', 'e', 'f'];
    const stats: Record<string, number> = {};
    let violations = 0;
    for (let round = 0; round < 60; round++) {
      const ops = devices.flatMap((d) => {
        const n = 1 + Math.floor(Math.random() * 2);
        return Array.from({ length: n }, () => {
          const set = Array.from({ length: Math.floor(Math.random() * 3) }, () => psk(`k${Math.floor(Math.random() * 5)}`));
          const uniq = [...new Map(set.map((c) => [c['auth-id'], c])).values()];
          if (Math.random() < 0.1) return repo.deleteForDevice('t', d, []);
          return repo.replace('t', d, uniq, uniq.map((c) => ({ type: c.type, authId: c['auth-id'] })), undefined, []);
        });
      });
      const rs = await Promise.allSettled(ops);
      for (const r of rs) { const k = r.status === 'fulfilled' ? 'ok' : String((r.reason as { status?: number }).status ?? (r.reason as Error).message); stats[k] = (stats[k] ?? 0) + 1; }
      // invariant: every key listed by a head is claimed by that device; no key listed twice
      const seen = new Map<string, string>();
      for (const d of devices) {
        const set = await repo.findByDevice('t', d);
        for (const c of set?.credentials ?? []) {
          const a = String(c['auth-id']);
          if (seen.has(a)) { violations++; console.log('round', round, 'key', a, 'listed by', seen.get(a), 'and', d); }
          seen.set(a, d);
          const h = (await repo.findByKey('t', { type: 'psk', authId: a }))?.deviceId;
          if (h !== d) { violations++; console.log('round', round, 'key', a, 'listed by', d, 'findByKey', h); }
        }
      }
      const claims = await store.db.collection(Collections.credentialKeys).find({}).toArray();
      for (const c of claims) {
        const a = JSON.parse(String(c['key']))[2] as string;
        if (seen.get(a) !== c['deviceId']) { violations++; console.log('round', round, 'stray claim', a, c['deviceId']); }
      }
    }
    const docs = await store.db.collection(Collections.credentials).countDocuments({});
    console.log('retention', retention, 'stats', JSON.stringify(stats), 'violations', violations, 'revision docs', docs);
    expect(violations).toBe(0);
    await store.close();
  });
}
