// Lab (see NOTES.md): p50/p99, CPU per query and recall@10 (vs a JS cosine scan) of raw LanceDB queries.
// [PREWARM=1] [METRIC=l2] npx tsx --conditions=source bench/store/lab-query.ts <db> id,full,ef,fast 1,2,5,20 [queries] COLUMN=vector|unit (default vector)
import { createRng } from '@latentkit/core';
import * as lancedb from '@lancedb/lancedb';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { exactCosineKnn } from '../../packages/store/src/testing/clustered.js';
const dir = process.argv[2];
const modes = (process.argv[3] ?? 'full').split(',');
const probesList = (process.argv[4] ?? '2,5,20').split(',').map(Number);
const nq = Number(process.argv[5] ?? 100);
const buf = readFileSync(join(dir, '..', 'data.f32'));
const data = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
const rows = data.length / 32;
const rand = createRng(7);
const qs = Array.from({ length: nq }, () => {
  const id = Math.floor(rand() * rows);
  return Float32Array.from(data.subarray(id * 32, (id + 1) * 32), (v) => v + (rand() - 0.5) * 0.1);
});
const truth = qs.map((q) => new Set(exactCosineKnn(data, 32, q, 10)));
const unit = (q: Float32Array) => { const n = Math.hypot(...q); return q.map((x) => x / n); };
const db = await lancedb.connect(dir);
const t = await db.openTable('codes_image');
if (process.env.PREWARM) { const t0 = performance.now(); await t.prewarmIndex('vector_idx'); console.log('prewarm ms', (performance.now()-t0).toFixed(0)); }
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
for (const mode of modes) for (const np of probesList) {
  const ms: number[] = []; let found = 0; const cpu0 = process.cpuUsage();
  const run = async (q: Float32Array) => {
    let v = t.vectorSearch(process.env.COLUMN === 'unit' ? unit(q) : q).column(process.env.COLUMN ?? 'vector').distanceType((process.env.METRIC ?? 'cosine') as any).limit(10);
    if (mode === 'full') v = v.select(['id', 'source', 'line', 'label', 'text', 'model_id', '_distance']);
    else if (mode === 'id') v = v.select(['id', '_distance']);
    else if (mode === 'ef') v = v.select(['id', '_distance']).ef(np);
    else if (mode === 'fast') v = v.select(['id', '_distance']).fastSearch();
    if (mode !== 'ef') v = v.nprobes(np);
    return v.toArray();
  };
  for (let i = 0; i < 5; i++) await run(qs[i]);
  for (let i = 0; i < qs.length; i++) {
    const t0 = performance.now();
    const r = await run(qs[i]);
    ms.push(performance.now() - t0);
    found += r.filter((x) => truth[i].has(Number(x.id))).length;
  }
  const cpu = process.cpuUsage(cpu0); const cpuMs = (cpu.user + cpu.system) / 1000 / qs.length;
  console.log(`${mode} np=${np} cpu/q ${cpuMs.toFixed(2)} p50 ${pct(ms, 0.5).toFixed(2)} p99 ${pct(ms, 0.99).toFixed(2)} recall ${(found / 10 / qs.length).toFixed(3)}`);
}
