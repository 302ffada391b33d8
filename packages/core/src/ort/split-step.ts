/**
 * @file Data-parallel ("split") training steps, this thread's side: the graphs they need (the
 * half-batch gradient graph, and per share of the weights an update graph), and the hand-over
 * of batches, weights and optimizer state to the two workers that take the steps (split.ts has
 * the protocol and why).
 */
import * as tf from '@tensorflow/tfjs';
import type * as Ort from 'onnxruntime-node';
import type { TensorBatch } from '../training/trainer.js';
import { buildAverageGraph, buildUpdateGraph, type StepGraph, type WeightSpec } from './build.js';
import type { CompiledStepGraph } from './compile.js';
import type { OptimizerPlan } from './optimizer.js';
import { CMD, SplitPair, layOut, xIndex, type Region, type SplitPlan } from './split.js';
import { NotLowerableError } from './trace.js';

/** The graphs, sessions and worker of split steps for one compiled batch shape. */
export interface SplitSetup {
  /** The half-batch gradient graph, compiled. */
  compiled: CompiledStepGraph;
  pair: SplitPair;
  plan: SplitPlan;
  /** The frozen weights the workers were given: a fit with other values needs other workers. */
  fixed: Map<number, Float32Array>;
  /** The workers hold a fit's current weights and optimizer state (the step runner sets it). */
  held: boolean;
}

/**
 * Whether a step graph's batch can be cut in two equal halves of rows: an even number of rows,
 * and every batch tensor and per-step random draw leading with it.
 */
export function splittable(step: StepGraph): boolean {
  const rows = step.batch[0]?.shape[0];
  if (!rows || rows % 2 !== 0) return false;
  return [...step.batch, ...step.random].every((t) => t.shape.length > 0 && t.shape[0] === rows);
}

const halfShape = (shape: readonly number[]) => [shape[0] / 2, ...shape.slice(1)];
const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);
const regionType = (dtype: string): Region['type'] => (dtype === 'bool' ? 'bool' : dtype === 'int32' ? 'int32' : 'float32');

/**
 * The two shares of the weights, of about equal size (an update's cost is its passes over the
 * weights): largest first, each to the lighter share.
 */
export function shareWeights(trainable: readonly number[], size: (i: number) => number): [number[], number[]] {
  const shares: [number[], number[]] = [[], []];
  const load = [0, 0];
  for (const i of [...trainable].sort((a, b) => size(b) - size(a))) {
    const s = load[0] <= load[1] ? 0 : 1;
    shares[s].push(i);
    load[s] += size(i);
  }
  // Input order within a share, as the whole step lists them.
  return [trainable.filter((i) => shares[0].includes(i)), trainable.filter((i) => shares[1].includes(i))];
}

/** What a split setup is made from. */
export interface SplitSource {
  /** Compiles the gradients-only graph of a batch (the step runner's `compileStepGraph` call). */
  compile: (batch: TensorBatch) => CompiledStepGraph;
  /** The whole batch (its first half is traced; the tfjs variables must hold the current weights). */
  batch: TensorBatch;
  plan: OptimizerPlan;
  clipNorm: number | undefined;
  /** Shapes of the variables, by index. */
  shapes: readonly (readonly number[])[];
  /** The whole batch's step graph, and its frozen weights as fed to it. */
  full: StepGraph;
  frozen: Map<number, Ort.Tensor>;
  /** The half graph of an earlier setup of this shape (sessions are made again, the graph is not). */
  compiled?: CompiledStepGraph | undefined;
}

/**
 * Compiles the half-batch gradient graph (on the first half of the batch) and the update
 * graphs of the two shares, and starts the workers.
 * @throws {NotLowerableError} when the half graph does not line up with the whole one.
 */
export async function prepareSplit(src: SplitSource): Promise<SplitSetup> {
  const { full, plan, clipNorm, shapes, frozen } = src;
  const rows = full.batch[0].shape[0];
  let half = src.compiled;
  if (!half) {
    const first = tf.tidy(() => Object.fromEntries(Object.entries(src.batch).map(([k, t]) => [k, tf.slice(t, 0, rows / 2)])) as TensorBatch);
    try {
      half = src.compile(first);
    } catch (e) {
      // A loss over pairs of rows may not even run on half of its batch (a [n, n] mask).
      if (e instanceof NotLowerableError) throw e;
      throw new NotLowerableError(`the loss does not run on half of the batch (${(e as Error).message.split('\n')[0]})`);
    } finally {
      tf.dispose(Object.values(first));
    }
  }
  const h = half.step;
  const lined =
    h.trainable.join() === full.trainable.join() &&
    h.frozen.join() === full.frozen.join() &&
    h.metrics.join() === full.metrics.join() &&
    h.batch.length === full.batch.length &&
    h.batch.every((b, i) => b.name === full.batch[i].name && sameShape(b.shape, halfShape(full.batch[i].shape))) &&
    h.random.length === full.random.length &&
    h.random.every((r, i) => r.name === full.random[i].name && r.kind === full.random[i].kind && r.seedOffset === full.random[i].seedOffset && sameShape(r.shape, halfShape(full.random[i].shape)));
  if (!lined) throw new NotLowerableError('the half-batch step does not line up with the whole batch');

  const size = (i: number) => tf.util.sizeFromShape([...shapes[i]]);
  const shares = shareWeights(full.trainable, size);
  const specs = (share: number[]): WeightSpec[] => share.map((index) => ({ index, shape: [...shapes[index]] }));
  const clip = clipNorm !== undefined && clipNorm > 0;
  const updateModel = (share: number[]) => (share.length ? buildUpdateGraph(plan, specs(share), clipNorm, { averagedInput: clip }).graph.toModel() : undefined);
  const averageModel = (share: number[]) => (clip && share.length ? buildAverageGraph(specs(share)).toModel() : undefined);
  const inputs = [...full.batch.map((b) => ({ name: b.name, type: regionType(b.dtype), dims: halfShape(b.shape) })), ...full.random.map((r) => ({ name: r.name, type: 'float32' as const, dims: halfShape(r.shape) }))];
  const fixed = new Map<number, Float32Array>();
  for (const i of full.frozen) fixed.set(i, (frozen.get(i)!.data as Float32Array).slice());
  const base = {
    inputs,
    shares,
    shapes: Object.fromEntries(full.trainable.map((i) => [i, [...shapes[i]]])),
    slots: plan.slots,
    metrics: full.metrics,
    scalars: full.scalars,
  };
  const splitPlan: SplitPlan = {
    ...base,
    ...layOut(base),
    clip,
    half: half.model,
    update: [updateModel(shares[0]), updateModel(shares[1])],
    average: [averageModel(shares[0]), averageModel(shares[1])],
    fixed: Object.fromEntries([...fixed].map(([i, data]) => [`f:${i}`, { data, dims: [...shapes[i]] }])),
  };
  const pair = await SplitPair.start(splitPlan).catch((e: Error) => {
    throw new NotLowerableError(`the split-step workers did not start: ${e.message}`);
  });
  return { compiled: half, pair, plan: splitPlan, fixed, held: false };
}

/** Whether the workers were given these frozen weights. */
export function sameFrozen(s: SplitSetup, frozen: Map<number, Ort.Tensor>): boolean {
  return [...s.fixed].every(([i, a]) => {
    const b = frozen.get(i)?.data as Float32Array | undefined;
    return b !== undefined && b.length === a.length && b.every((v, k) => v === a[k]);
  });
}

/** Loss, metrics and gradient norm of a step. */
export interface StepOutputs {
  loss: number;
  gnorm: number;
  metrics: Record<string, number>;
}

const f32 = (t: Ort.Tensor) => t.data as Float32Array;

/**
 * Runs one split step on the whole batch's `feeds` (as the whole graph takes them). The new
 * weights and optimizer slots stay with the workers (see {@link storeState}). `load`: the
 * workers first get the weights and slots from `feeds` (their state is stale after any step
 * they did not take). After a throw the workers are stopped and the setup must be released.
 */
export async function runSplit(s: SplitSetup, full: StepGraph, feeds: Record<string, Ort.Tensor>, load: boolean): Promise<StepOutputs> {
  const { pair, plan } = s;
  const V = pair.views;
  try {
    if (load) {
      for (const i of full.trainable) {
        V[`w:${i}`].set(f32(feeds[`w:${i}`]));
        for (const slot of plan.slots) V[`s:${slot}:${i}`].set(f32(feeds[`s:${slot}:${i}`]));
      }
      pair.run(CMD.load);
    }
    for (const t of plan.inputs) {
      const data = feeds[t.name].data as Float32Array | Int32Array | Uint8Array;
      const cut = data.length / 2;
      V[`b0:${t.name}`].set(data.subarray(0, cut));
      V[`b1:${t.name}`].set(data.subarray(cut));
    }
    plan.scalars.forEach((k, j) => (V.x[j] = f32(feeds[k])[0]));
    await pair.runAsync(CMD.step);
  } catch (e) {
    pair.stop();
    throw e;
  }
  const [a, b] = [V.x0, V.x1] as Float32Array[];
  const xi = xIndex(plan.metrics);
  return {
    loss: (a[xi.loss] + b[xi.loss]) / 2,
    gnorm: Math.sqrt(a[xi.sq] + b[xi.sq]),
    metrics: Object.fromEntries(plan.metrics.map((m, k) => [m, (a[xi.metric0 + k] + b[xi.metric0 + k]) / 2])),
  };
}

/**
 * Copies the current weights and optimizer slots from the workers into `weight(index)` and
 * `slot(k, index)` (the step runner's current buffers): after split steps they live only there.
 */
export function storeState(s: SplitSetup, weight: (index: number) => Float32Array, slot: (k: number, index: number) => Float32Array): void {
  s.pair.run(CMD.store);
  for (const i of [...s.plan.shares[0], ...s.plan.shares[1]]) {
    weight(i).set(s.pair.views[`w:${i}`] as Float32Array);
    s.plan.slots.forEach((name, k) => slot(k, i).set(s.pair.views[`s:${name}:${i}`] as Float32Array));
  }
}

/** Stops a setup's workers. */
export function releaseSplit(s: SplitSetup): void {
  void s.pair.terminate().catch(() => undefined);
}
