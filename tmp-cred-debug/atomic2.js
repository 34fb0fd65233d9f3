const { MongoClient } = require('/work/main/node_modules/mongodb');
(async () => {
  const c = new MongoClient(process.env.MONGODB_URI, { maxPoolSize: 20 });
  await c.connect();
  const db = c.db('atom2_' + Date.now());
  const k = db.collection('claims');
  console.log(await k.createIndex({ key: 1 }, { unique: true, name: 'claim_key_uq' }));
  const N = 6, R = 40; let bad = 0;
  for (let r = 0; r < R; r++) {
    const rs = await Promise.allSettled(Array.from({ length: N }, (_, i) => k.insertOne({ _id: `i-${r}-${i}`, key: `K${r}` })));
    const ok = rs.filter(x => x.status === 'fulfilled').length;
    const codes = rs.filter(x => x.status === 'rejected').map(x => x.reason.code);
    if (ok !== 1 || codes.some(c => c !== 11000) || (await k.countDocuments({ key: `K${r}` })) !== 1) bad++;
  }
  console.log('concurrent insert, unique secondary index: bad rounds', bad, '/', R);
  // delete + reinsert race: delete by instance id while others insert
  bad = 0;
  for (let r = 0; r < R; r++) {
    await k.insertOne({ _id: `old-${r}`, key: `D${r}` });
    const rs = await Promise.allSettled([
      ...Array.from({ length: 3 }, () => k.deleteOne({ _id: `old-${r}` })),
      ...Array.from({ length: 3 }, (_, i) => k.insertOne({ _id: `new-${r}-${i}`, key: `D${r}` })),
    ]);
    const n = await k.countDocuments({ key: `D${r}` });
    const dels = rs.slice(0, 3).filter(x => x.status === 'fulfilled' && x.value.deletedCount === 1).length;
    if (n > 1 || dels !== 1) bad++;
  }
  console.log('delete-by-id vs inserts: bad rounds', bad, '/', R);
  // revisions: sort desc limit 1, $gt count
  const v = db.collection('revs');
  await v.createIndex({ tenantId: 1, deviceId: 1, seq: -1 }, { name: 'rev' });
  for (const s of [1, 2, 10, 3]) await v.insertOne({ _id: JSON.stringify(['t', 'd', s]), tenantId: 't', deviceId: 'd', seq: s });
  const head = await v.find({ tenantId: 't', deviceId: 'd' }).sort({ seq: -1 }).limit(1).toArray();
  console.log('head seq', head[0].seq, 'count >3:', await v.countDocuments({ tenantId: 't', deviceId: 'd', seq: { $gt: 3 } }, { limit: 1 }));
  // deleteMany with $lt + $size
  await v.insertOne({ _id: 'x', tenantId: 't', deviceId: 'd', seq: 5, outbox: [{ id: 1 }] });
  await v.updateMany({ outbox: { $exists: false } }, { $set: { outbox: [] } });
  console.log('gc deleted', (await v.deleteMany({ tenantId: 't', deviceId: 'd', seq: { $lt: 10 }, outbox: { $size: 0 } })).deletedCount, 'left', (await v.find({}).toArray()).map(d => d.seq));
  // aggregate max per device
  try { console.log(await v.aggregate([{ $match: { tenantId: 't' } }, { $group: { _id: '$deviceId', seq: { $max: '$seq' } } }]).toArray()); } catch (e) { console.log('aggregate', e.message); }
  await db.dropDatabase(); await c.close();
})();
