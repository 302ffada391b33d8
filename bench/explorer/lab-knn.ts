/**
 * @file Lab: the explorer's kNN in Node on the bench's 1M x 32 cluster codes, the sorted-slab
 * walk (NeighbourIndex.inBasis) against the full pruned scan over the same rotated rows (the
 * method before it). Run: `nice -n 5 npx tsx --conditions=source bench/explorer/lab-knn.ts`.
 * Prints median / p95 / max ms over 60 queries; both must return the same rows (checked).
 */
import { createNormalRng } from '@latentkit/core';
import { NeighbourIndex } from '../../packages/explorer/src/page/knn.js';
import { fitPcaBasis, projectOnto } from '../../packages/explorer/src/page/pca.js';
const n = 1_000_000, d = 32, rnd = createNormalRng(1);
const centres = Array.from({ length: 10 }, () => Float64Array.from({ length: d }, () => 3 * rnd()));
const data = new Float32Array(n * d);
for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) data[i * d + j] = centres[i % 10][j] + rnd() / (1 + 0.2 * j);
const basis = fitPcaBasis(data, n, d);
const slab = NeighbourIndex.inBasis(data, basis);
const scan = NeighbourIndex.raw(projectOnto(data, basis, d), d); // old: rotated rows, full scan
const picks = Array.from({ length: 60 }, (_, i) => (i * 16661) % n);
const answers = new Map<string, string[]>();
for (const [name, idx, rot] of [['scan', scan, true], ['slab', slab, false]] as const) {
  const ts: number[] = [];
  const got: string[] = [];
  for (const r of picks) {
    const q = slab.row(r);
    // The raw index holds rotated rows, so its query is rotated here (inBasis rotates its own).
    const qq = rot ? projectOnto(Float32Array.from(q), basis, d) : q;
    const t = performance.now();
    got.push(Array.from(idx.query(qq, 10, r).indices).join(','));
    ts.push(performance.now() - t);
  }
  answers.set(name, got);
  ts.sort((a, b) => a - b);
  console.log(name, 'median', ts[30].toFixed(1), 'p95', ts[57].toFixed(1), 'max', ts[59].toFixed(1));
}
const same = answers.get('scan')!.filter((a, i) => a === answers.get('slab')![i]).length;
console.log(`same 10 rows from both: ${same} of ${picks.length} queries`);
