// Lab (see NOTES.md): builds an index on a copy of lab-build's table. METRIC=cosine|l2.
// npx tsx --conditions=source bench/store/lab-index.ts <db> flat|hnswsq|pq <partitions> COLUMN=vector|unit (default vector)
import * as lancedb from '@lancedb/lancedb';
const [dir, kind, parts] = [process.argv[2], process.argv[3], Number(process.argv[4] ?? 1000)];
const db = await lancedb.connect(dir);
const t = await db.openTable('codes_image');
const t0 = performance.now();
const config =
  kind === 'flat' ? lancedb.Index.ivfFlat({ numPartitions: parts, distanceType: (process.env.METRIC ?? 'cosine') as any })
  : kind === 'hnswsq' ? lancedb.Index.hnswSq({ numPartitions: parts, distanceType: (process.env.METRIC ?? 'cosine') as any })
  : kind === 'pq' ? lancedb.Index.ivfPq({ numPartitions: parts, distanceType: 'cosine', numSubVectors: 16 })
  : undefined;
await t.createIndex(process.env.COLUMN ?? 'vector', { config: config!, replace: true, name: 'vector_idx' });
console.log(kind, parts, 'index s', ((performance.now() - t0) / 1000).toFixed(1));
console.log(await t.indexStats('vector_idx'));
