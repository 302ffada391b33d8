/**
 * @file Lab script (issue #18): one long fit of a bench reference AE (batch 128) through the
 * public `fit`, its samples/s in windows of 64 steps with the second of the fit each ended at,
 * and the count of subnormal floats among the step runner's optimizer slots every 200 steps.
 * It showed long fits dropping to ~0.6x from ~3 s in while Adam's first moments of units with
 * zero gradient decayed into subnormals (NOTES.md, session 11); with the flush there are none.
 *
 *   npx tsx --conditions=source bench/engine-threads/lab-long-fit.ts <dense|conv|sequence> [threads] [epochs] [batches]
 */
import { initEngine, type ProgressEvent } from '@latentkit/core';
import { StepState } from '../../packages/core/src/ort/step-state.ts';
import { MODELS, fakeImages, type BenchModel } from '../lib/engine-models.ts';

const name = (process.argv[2] ?? 'dense') as BenchModel;
const t = process.argv[3] ?? '1';
const threads = t === 'split' || t === 'spin' || t === 'auto' ? t : Number(t);
const epochs = Number(process.argv[4] ?? 8);
const batches = Number(process.argv[5] ?? 160);
await initEngine({ backend: 'ort' });

// Subnormal slots as the runner holds them after a run (split workers hold their own: not seen here).
const MIN_NORMAL = 1.1754943508222875e-38;
const subnormals = (a: Float32Array) => a.reduce((n, x) => n + (x !== 0 && Math.abs(x) < MIN_NORMAL ? 1 : 0), 0);
const counts: string[] = [];
const swap = StepState.prototype.swap;
StepState.prototype.swap = function (this: StepState, steps: number) {
  swap.call(this, steps);
  const it = this.optimizerState().iterations;
  if (Math.floor(it / 200) !== Math.floor((it - steps) / 200)) {
    counts.push(`${it}: ${this.optimizerState().slots.map((slot) => slot.reduce((n, a) => n + subnormals(a), 0)).join('/')}`);
  }
};

const data = fakeImages(batches * 128);
const model = MODELS[name]();
const stamps: number[] = [];
const onProgress = (e: ProgressEvent) => e.type === 'batch' && stamps.push(performance.now());
const t0 = performance.now();
const h = await model.fit(data, { epochs, batchSize: 128, shuffle: false, progressIntervalMs: 0, onProgress, threads });
const W = 64;
const windows: string[] = [];
for (let i = W; i < stamps.length; i += W) windows.push(`${((stamps[i] - t0) / 1000).toFixed(1)}s ${((W * 128) / (stamps[i] - stamps[i - W])).toFixed(1)}k`);
console.log(`${name}, ${h.engineCores}: samples/s per ${W} steps (second of the fit, thousands/s)`);
console.log(windows.join(' | '));
console.log(`subnormal optimizer slots (iteration: per slot kind, summed over weights): ${counts.join('; ') || 'none counted'}`);
