/**
 * @file Lab script (issue #18): training throughput through the public `fit` per `threads`
 * setting (counts, 'split', 'auto'), of a bench reference AE (batch 128) or of the image recipe
 * 'deep-conv' model (batch 64). The settings are interleaved fit by fit (5 rounds of 32
 * batches, after one warm-up fit each) so a change of load falls on all of them alike. Prints
 * the median samples/s of each setting, every round's figure, what `History.engineCores` said,
 * and the load average.
 *
 *   npx tsx --conditions=source bench/engine-threads/lab-fit.ts <dense|conv|sequence|image-deep> 1,2,spin,split,auto [batches]
 */
import { loadavg } from 'node:os';
import { initEngine, type ProgressEvent } from '@latentkit/core';
import { ConvImageAutoencoder, type FloatImage } from '@latentkit/image';
import { MODELS, fakeImages, stampRate, type BenchModel } from '../lib/engine-models.ts';

/** A bench reference AE, or `image-deep`: the image recipe 'deep-conv' model (batch 64, shifted images). */
const name = (process.argv[2] ?? 'dense') as BenchModel | 'image-deep';
const settings = (process.argv[3] ?? '1,2,spin,split,auto').split(',').map((s) => (s === 'auto' || s === 'split' || s === 'spin' ? s : Number(s)));
const batches = Number(process.argv[4] ?? 32);
await initEngine({ backend: 'ort' });
const data = fakeImages(batches * (process.argv[2] === 'image-deep' ? 64 : 128));
const deep = name === 'image-deep';
const batchSize = deep ? 64 : 128;
const images: FloatImage[] = data.map((d) => ({ data: d, width: 28, height: 28, channels: 1 }));
// One fit call for either kind of model (their sample types differ).
const model = deep ? ConvImageAutoencoder.create({ inputShape: [28, 28, 1], latentDim: 32, filters: [32, 64, 128, 256], augment: { shift: 2 } }) : MODELS[name]();
const fit = (n: number, options: object) => (deep ? (model as ConvImageAutoencoder).fit(images.slice(0, n), { epochs: 1, batchSize, shuffle: false, progressIntervalMs: 0, ...options }) : (model as ReturnType<(typeof MODELS)['dense']>).fit(data.slice(0, n), { epochs: 1, batchSize, shuffle: false, progressIntervalMs: 0, ...options }));
const results = new Map(settings.map((s) => [String(s), [] as number[]]));
const load0 = loadavg()[0];
const cores = new Map<string, string | undefined>();
for (const threads of settings) await fit(4 * batchSize, { threads });
for (let round = 0; round < 5; round++) {
  for (const threads of settings) {
    const stamps: number[] = [];
    const onProgress = (e: ProgressEvent) => e.type === 'batch' && stamps.push(performance.now());
    const h = await fit(data.length, { onProgress, threads });
    cores.set(String(threads), h.engineCores);
    // Steps after the first two, as the engine benchmark counts them.
    results.get(String(threads))!.push(stampRate(stamps, batchSize));
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
for (const [k, v] of results) console.log(`${name} threads=${k}: ${Math.round(median(v))} samples/s (rounds: ${v.map(Math.round).join(' ')}); ${cores.get(k) ?? ''}`);
console.log(`load average ${load0.toFixed(2)} -> ${loadavg()[0].toFixed(2)}`);
model.dispose();
