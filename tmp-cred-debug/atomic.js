const { MongoClient } = require('/work/main/node_modules/mongodb');
(async () => {
  const c = new MongoClient(process.env.MONGODB_URI, { maxPoolSize: 20 });
  await c.connect();
  const db = c.db('atom_' + Date.now());
  const d = db.collection('docs');
  const N = 5, R = 40;
  const report = (name, bad) => console.log(name.padEnd(48), 'rounds with != 1 winner:', bad, '/', R);
  let bad = 0;
  for (let r = 0; r < R; r++) { await d.insertOne({ _id: 'del' + r, f: 'f0' });
    const rs = await Promise.all(Array.from({ length: N }, () => d.deleteOne({ _id: 'del' + r, f: 'f0' })));
    if (rs.filter(x => x.deletedCount === 1).length !== 1) bad++; }
  report('deleteOne conditional', bad);
  bad = 0;
  for (let r = 0; r < R; r++) { await d.insertOne({ _id: 'fam' + r, f: 'f0' });
    const rs = await Promise.all(Array.from({ length: N }, (_, i) => d.findOneAndUpdate({ _id: 'fam' + r, f: 'f0' }, { $set: { f: 'w' + i } })));
    if (rs.filter(x => x !== null).length !== 1) bad++; }
  report('findOneAndUpdate conditional', bad);
  bad = 0;
  for (let r = 0; r < R; r++) { 
    const rs = await Promise.allSettled(Array.from({ length: N }, (_, i) => d.updateOne({ _id: 'ups' + r }, { $setOnInsert: { w: i } }, { upsert: true })));
    if (rs.filter(x => x.status === 'fulfilled' && x.value.upsertedCount === 1).length !== 1) bad++; }
  report('upsert $setOnInsert (upsertedCount)', bad);
  // unique secondary index on update
  const u = db.collection('uniq'); await u.createIndex({ k: 1 }, { unique: true });
  bad = 0;
  for (let r = 0; r < R; r++) { 
    await u.insertMany(Array.from({ length: N }, (_, i) => ({ _id: `u${r}-${i}`, k: `free-${r}-${i}` })));
    const rs = await Promise.allSettled(Array.from({ length: N }, (_, i) => u.updateOne({ _id: `u${r}-${i}` }, { $set: { k: 'taken' + r } })));
    if (rs.filter(x => x.status === 'fulfilled').length !== 1) bad++; }
  report('update into unique secondary index', bad);
  // updateOne on different docs conditional - concurrent CAS on doc A from different filters
  bad = 0;
  for (let r = 0; r < R; r++) { await d.insertOne({ _id: 'arr' + r, xs: [] });
    await Promise.all(Array.from({ length: N }, (_, i) => d.updateOne({ _id: 'arr' + r }, { $push: { xs: i } })));
    const doc = await d.findOne({ _id: 'arr' + r }); if (doc.xs.length !== N) bad++; }
  report('$push concurrent (lost pushes)', bad);
  bad = 0;
  for (let r = 0; r < R; r++) { await d.insertOne({ _id: 'inc' + r, n: 0 });
    await Promise.all(Array.from({ length: N }, () => d.updateOne({ _id: 'inc' + r }, { $inc: { n: 1 } })));
    const doc = await d.findOne({ _id: 'inc' + r }); if (doc.n !== N) bad++; }
  report('$inc concurrent (lost increments)', bad);
  await db.dropDatabase(); await c.close();
})();
