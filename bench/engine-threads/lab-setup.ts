/**
 * @file The setup the engine labs share: a bench reference AE's training step compiled for one
 * batch of made-up images (Adam 1e-3), with its multi-step io and the starting state (weights
 * from the model, zero optimizer slots) as onnxruntime tensors, for labs that drive raw sessions.
 */
import { initEngine, tf } from '@latentkit/core';
import type * as Ort from 'onnxruntime-node';
import { compileStepGraph } from '../../packages/core/src/ort/compile.ts';
import { multiStepIo } from '../../packages/core/src/ort/multi-step.ts';
import { planOptimizer } from '../../packages/core/src/ort/optimizer.ts';
import { loadOrt } from '../../packages/core/src/ort/runtime.ts';
import { MODELS, fakeImages, type BenchModel } from '../lib/engine-models.ts';

/** Carried values (weights, slots) by graph input name. */
export type LabState = Record<string, Ort.Tensor>;

/** Compiles `name`'s step for a batch of `rows` images, on the ort engine. */
export async function labStep(name: BenchModel, rows: number) {
  await initEngine({ backend: 'ort' });
  const ort = (await loadOrt()) as typeof Ort;
  const model = MODELS[name]();
  const plan = planOptimizer(tf.train.adam(1e-3));
  const batch = model.collate(fakeImages(rows));
  const ctx = { training: true, seed: 1, epoch: 0, batch: 0 };
  const c = compileStepGraph(model, model.variables(), batch, ctx, plan, undefined);
  const io = multiStepIo(c.step);
  const g = c.step.graph;
  const vars = model.variables();
  const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
  const start: LabState = Object.fromEntries(
    io.carried.map((n) => [n, new ort.Tensor('float32', n.startsWith('w:') ? Float32Array.from(vars[Number(n.split(':').pop())].dataSync() as Float32Array) : new Float32Array(size(g.shape(n))), g.shape(n))]),
  );
  const batchFeed = new ort.Tensor('float32', Float32Array.from(batch.x.dataSync() as Float32Array), batch.x.shape);
  return { ort, model, plan, batch, ctx, c, io, start, batchFeed };
}

/** The median of `xs`. */
export const median = (xs: number[]) => [...xs].sort((p, q) => p - q)[xs.length >> 1];
