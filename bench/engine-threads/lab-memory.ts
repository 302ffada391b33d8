/**
 * @file Lab script (issue #18): resident memory at each stage of one fit of the image VAE on
 * MNIST (20k images, batch 64): after loading, at the session's creation, after each of the
 * first runs, every 50 batches, at the end. A worker thread samples RSS every 20 ms (it keeps
 * sampling while this thread is inside a native run), so the peak between stages is seen too.
 *
 *   npx tsx --conditions=source bench/engine-threads/lab-memory.ts [1|split|auto]
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { initEngine, resolveDataDir, type ProgressEvent } from '@latentkit/core';
import { ImageVAE, loadMnist } from '@latentkit/image';
import type * as Ort from 'onnxruntime-node';

const arg = process.argv[2] ?? 'auto';
const threads = arg === 'split' || arg === 'auto' ? arg : Number(arg);
const peak = new Int32Array(new SharedArrayBuffer(4));
const sampler = new Worker(
  `const { workerData } = require('node:worker_threads');
   const peak = new Int32Array(workerData);
   setInterval(() => Atomics.store(peak, 0, Math.max(Atomics.load(peak, 0), Math.round(process.memoryUsage.rss() / 1e6))), 20);`,
  { eval: true, workerData: peak.buffer },
);
sampler.unref();
const t0 = performance.now();
const mark = (what: string) => {
  const rss = Math.round(process.memoryUsage.rss() / 1e6);
  console.log(`${((performance.now() - t0) / 1000).toFixed(2)} s  rss ${rss} MB (peak so far ${Math.max(rss, Atomics.load(peak, 0))})  ${what}`);
};

await initEngine({ backend: 'ort' });
const ort = createRequire(import.meta.url)('onnxruntime-node') as typeof Ort;
const create = ort.InferenceSession.create.bind(ort.InferenceSession) as (model: Uint8Array, options: Ort.InferenceSession.SessionOptions) => Promise<Ort.InferenceSession>;
(ort.InferenceSession as unknown as { create: typeof create }).create = async (model, options) => {
  mark(`session: create (${Math.round(model.byteLength / 1024)} KB graph)`);
  const s = await create(model, options);
  mark('session: made');
  return s;
};
// The class behind the factory type: its prototype's run is what every session calls.
const proto = (ort.InferenceSession as unknown as { prototype: { run: (...a: unknown[]) => Promise<unknown> } }).prototype;
const run = proto.run;
let runs = 0;
proto.run = async function (this: unknown, ...a: unknown[]) {
  const out = await run.apply(this, a);
  if (++runs <= 4) mark(`run ${runs} done`);
  return out;
};

const train = await loadMnist(join(resolveDataDir(), 'mnist'), 'train', { limit: Number(process.env.LIMIT ?? 20_000) });
mark('MNIST loaded');
const vae = ImageVAE.create({ inputShape: [28, 28, 1], latentDim: 16 });
let batches = 0;
const h = await vae.fit(train.images, {
  epochs: 1,
  batchSize: 64,
  learningRate: 2e-3,
  validationSplit: 0,
  threads,
  onProgress: (e: ProgressEvent) => {
    if (e.type === 'batch' && ++batches % 50 === 0) mark(`batch ${batches}`);
  },
});
mark(`fit done (${h.engineCores ?? h.engine})`);
vae.dispose();
mark('disposed');
