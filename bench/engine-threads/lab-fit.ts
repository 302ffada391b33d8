/**
 * @file Lab script (issue #18): training throughput of a bench reference AE through the public
 * `fit`, per `threads` setting (counts, 'split', 'auto'), the settings interleaved fit by fit (5 rounds of 32 batches of
 * 128, after one warm-up fit each) so a change of load falls on all of them alike. Prints the
 * median samples/s of each setting, every round's figure, and the load average.
 *
 *   npx tsx --conditions=source bench/engine-threads/lab-fit.ts dense 1,2,split,auto
 */
import { loadavg } from 'node:os';
import { createRng, initEngine, type ProgressEvent } from '@latentkit/core';
import { MODELS, type BenchModel } from '../lib/engine-models.ts';

const name = (process.argv[2] ?? 'dense') as BenchModel;
const settings = (process.argv[3] ?? '1,2,split,auto').split(',').map((s) => (s === 'auto' || s === 'split' ? s : Number(s)));
const batches = Number(process.argv[4] ?? 32);
await initEngine({ backend: 'ort' });
const rng = createRng(5);
const data = Array.from({ length: batches * 128 }, () => Float32Array.from({ length: 784 }, () => (rng() < 0.8 ? 0 : rng())));
const model = MODELS[name]();
const results = new Map(settings.map((s) => [String(s), [] as number[]]));
const load0 = loadavg()[0];
for (const threads of settings) await model.fit(data.slice(0, 512), { epochs: 1, batchSize: 128, shuffle: false, progressIntervalMs: 0, threads });
for (let round = 0; round < 5; round++) {
  for (const threads of settings) {
    const stamps: number[] = [];
    const onProgress = (e: ProgressEvent) => e.type === 'batch' && stamps.push(performance.now());
    await model.fit(data, { epochs: 1, batchSize: 128, shuffle: false, progressIntervalMs: 0, onProgress, threads });
    // Steps after the first two, as the engine benchmark counts them.
    results.get(String(threads))!.push(((stamps.length - 2) * 128) / ((stamps[stamps.length - 1] - stamps[1]) / 1000));
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
for (const [k, v] of results) console.log(`${name} threads=${k}: ${Math.round(median(v))} samples/s (rounds: ${v.map(Math.round).join(' ')})`);
console.log(`load average ${load0.toFixed(2)} -> ${loadavg()[0].toFixed(2)}`);
model.dispose();
