/**
 * @file Lab script (issue #18): where a second core could go, on one compiled training step
 * (the bench reference AE's, Adam, batch 128, and the same model's at batch 64). Times, with
 * sessions interleaved in blocks of 40 runs x 7 rounds:
 * - the batch-128 step on 1 intra-op thread, on 2 (workers sleeping), on 2 (workers spinning);
 * - the batch-128 step on 1 thread in one worker thread against two batch-64 steps at once in
 *   two worker threads (data parallelism; onnxruntime-node's `run` is synchronous on its
 *   thread and rejects SharedArrayBuffer-backed tensors, so workers are the only way to run two
 *   graphs at once, and weights would cross threads by copy).
 * Outputs go to pre-allocated buffers, as the step runner does.
 *
 *   npx tsx --conditions=source bench/engine-threads/lab-graph.ts dense
 */
import { loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import { initEngine, tf } from '@latentkit/core';
import type * as Ort from 'onnxruntime-node';
import { compileStepGraph } from '../../packages/core/src/ort/compile.ts';
import { planOptimizer } from '../../packages/core/src/ort/optimizer.ts';
import { loadOrt } from '../../packages/core/src/ort/runtime.ts';
import { MODELS, fakeImages, type BenchModel } from '../lib/engine-models.ts';

const name = (process.argv[2] ?? 'dense') as BenchModel;
await initEngine({ backend: 'ort' });
const ort = (await loadOrt()) as typeof Ort;
const samples = fakeImages(128);
const model = MODELS[name]();
const plan = planOptimizer(tf.train.adam(1e-3));
function graph(n: number): Uint8Array {
  const batch = model.collate(samples.slice(0, n));
  const c = compileStepGraph(model, model.variables(), batch, { training: true, seed: 1, epoch: 0, batch: 0 }, plan, undefined);
  tf.dispose(Object.values(batch));
  return c.model;
}
const [full, half] = [graph(128), graph(64)];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const load0 = loadavg()[0];

// Runs in each worker (and, as a function, on this thread): a session on random inputs.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  const ort = await import(workerData.ortUrl);
  const s = await ort.InferenceSession.create(workerData.model, { intraOpNumThreads: workerData.threads, interOpNumThreads: 1, executionMode: 'sequential', logSeverityLevel: 3, extra: { session: { intra_op: { allow_spinning: workerData.spin ? '1' : '0' } } } });
  const size = (sh) => sh.reduce((a, b) => a * b, 1);
  const feeds = {}, fetches = {};
  for (const m of s.inputMetadata) feeds[m.name] = new ort.Tensor(m.type, m.type === 'float32' ? Float32Array.from({ length: size(m.shape) }, () => Math.random() * 0.01) : new (m.type === 'int32' ? Int32Array : Uint8Array)(size(m.shape)), m.shape);
  for (const m of s.outputMetadata) fetches[m.name] = m.name.includes(':') ? new ort.Tensor('float32', new Float32Array(size(m.shape)), m.shape) : null;
  for (let i = 0; i < 10; i++) await s.run(feeds, fetches);
  parentPort.postMessage('ready');
  parentPort.on('message', async (n) => { for (let i = 0; i < n; i++) await s.run(feeds, fetches); parentPort.postMessage('done'); });
})();
`;
const ortUrl = import.meta.resolve('onnxruntime-node');
function worker(m: Uint8Array, threads: number, spin: boolean): Promise<Worker> {
  return new Promise((res) => {
    const w = new Worker(WORKER, { eval: true, workerData: { model: m, threads, spin, ortUrl } });
    w.once('message', () => res(w));
  });
}
const go = (w: Worker, n: number) => new Promise((res) => { w.once('message', res); w.postMessage(n); });

const configs = [
  { label: 'batch 128, 1 thread', run: [{ m: full, threads: 1, spin: false }] },
  { label: 'batch 128, 2 threads (sleeping)', run: [{ m: full, threads: 2, spin: false }] },
  { label: 'batch 128, 2 threads (spinning)', run: [{ m: full, threads: 2, spin: true }] },
  { label: 'two batch-64 steps at once, 1 thread each', run: [{ m: half, threads: 1, spin: false }, { m: half, threads: 1, spin: false }] },
];
const workers = await Promise.all(configs.map((c) => Promise.all(c.run.map((r) => worker(r.m, r.threads, r.spin)))));
const times: number[][] = configs.map(() => []);
for (let round = 0; round < 7; round++) {
  for (let k = 0; k < configs.length; k++) {
    const t0 = performance.now();
    await Promise.all(workers[k].map((w) => go(w, 40)));
    times[k].push((performance.now() - t0) / 40);
  }
}
const base = median(times[0]);
configs.forEach((c, k) => console.log(`${name}: ${c.label}: ${median(times[k]).toFixed(2)} ms per 128 samples, ${(base / median(times[k])).toFixed(2)}x (rounds: ${times[k].map((t) => t.toFixed(2)).join(' ')})`));
console.log(`load average ${load0.toFixed(2)} -> ${loadavg()[0].toFixed(2)}`);
for (const ws of workers) for (const w of ws) await w.terminate();
model.dispose();
