const { MongoClient } = require('/work/main/node_modules/mongodb');
(async () => {
  const c = new MongoClient(process.env.MONGODB_URI, { maxPoolSize: 20 });
  await c.connect();
  const db = c.db('cas_' + Date.now());
  const d = db.collection('docs');
  let multi = 0;
  for (let round = 0; round < 50; round++) {
    await d.insertOne({ _id: round, fence: 'f0', n: 0 });
    const rs = await Promise.all(Array.from({ length: 5 }, (_, i) => d.updateOne({ _id: round, fence: 'f0' }, { $set: { fence: 'w' + i }, $inc: { n: 1 } })));
    const wins = rs.filter(r => r.modifiedCount === 1).length;
    const doc = await d.findOne({ _id: round });
    if (wins !== 1 || doc.n !== 1) { multi++; if (multi < 4) console.log('round', round, 'wins', wins, 'n', doc.n, rs.map(r => [r.matchedCount, r.modifiedCount])); }
  }
  console.log('rounds with != 1 winner:', multi, '/ 50');
  // same for insert uniqueness and deleteOne conditional
  await db.dropDatabase(); await c.close();
})();
