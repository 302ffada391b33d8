/**
 * @file Compiles a model's training step for one batch signature.
 *
 * The loss is traced three times: on the batch, on the same batch with another step seed, and
 * on a perturbed copy of the batch. All three must run the same kernels with the same shapes
 * (else the loss branches on data in JS and cannot be one graph). A leaf that changes with the
 * seed is a per-step random draw: it must be exactly what `tf.randomNormal` or
 * `tf.randomUniform(shape, 0, 1, 'float32', seed)` gives for the step's seed, and becomes a
 * graph input drawn by tfjs's own generator each step, so compiled and tfjs training see the
 * same noise. A leaf that changes with the batch's values was computed from them in JS
 * (`dataSync`), which a graph cannot redo: that loss is not compiled. Everything else is a
 * constant of the graph.
 */
import * as tf from '@tensorflow/tfjs';
import type { StepContext, TensorBatch, TrainingProblem } from '../training/trainer.js';
import { buildStepGraph, type RandomInput, type StepGraph } from './build.js';
import type { OptimizerPlan } from './optimizer.js';
import { NotLowerableError, traceLoss, traceSignature, type Trace, type TracedTensor } from './trace.js';

/** A step graph, serialised, with the trace it was built from (for verification). */
export interface CompiledStepGraph {
  step: StepGraph;
  model: Uint8Array;
  trace: Trace;
  /** Positions (in `trace.leaves`) of the leaves that are per-step random inputs. */
  randomLeaves: number[];
}

/** Another step seed, distinct from the step's own, in tfjs's seed range. */
function otherSeed(seed: number): number {
  return ((seed ^ 0x2545f491) >>> 1) || 1;
}

/** A copy of the batch with different values but the same shapes and value ranges. */
function perturb(batch: TensorBatch): TensorBatch {
  return tf.tidy(() => {
    const out: TensorBatch = {};
    for (const [k, t] of Object.entries(batch)) {
      if (t.dtype === 'float32') out[k] = tf.add(tf.mul(t, 0.75), 0.125);
      else out[k] = t.shape[0] > 1 ? tf.concat([tf.slice(t, [1], [-1]), tf.slice(t, [0], [1])]) : tf.clone(t);
    }
    return out;
  });
}

function draw(kind: RandomInput['kind'], shape: number[], seed: number): Float32Array {
  return tf.tidy(() => (kind === 'normal' ? tf.randomNormal(shape, 0, 1, 'float32', seed) : tf.randomUniform(shape, 0, 1, 'float32', seed)).dataSync() as Float32Array);
}

/** Draws a random input for a step (the same numbers the tfjs loss would draw). */
export function drawRandom(r: RandomInput, stepSeed: number): Float32Array {
  return draw(r.kind, r.shape, stepSeed + r.seedOffset);
}

const same = (a: ArrayLike<number> | undefined, b: ArrayLike<number> | undefined) => {
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) return false;
  return true;
};

function identifyRandom(t1: TracedTensor, t2: TracedTensor, seed1: number, seed2: number): Omit<RandomInput, 'name'> {
  if (t1.dtype === 'float32') {
    for (const kind of ['normal', 'uniform'] as const) {
      for (const offset of [0, 1, 2, 3, -1]) {
        if (same(draw(kind, t1.shape, seed1 + offset), t1.values) && same(draw(kind, t1.shape, seed2 + offset), t2.values)) {
          return { kind, shape: t1.shape, seedOffset: offset };
        }
      }
    }
  }
  throw new NotLowerableError(
    `a random ${t1.dtype} tensor of shape [${t1.shape}] is not tf.randomNormal/randomUniform(shape, 0, 1, 'float32', ctx.seed)`,
  );
}

/**
 * Traces, checks and builds the step graph for `batch`'s signature.
 * @throws {NotLowerableError} with a one-line reason when the step cannot be compiled.
 */
export function compileStepGraph(
  problem: TrainingProblem<unknown>,
  vars: tf.Variable[],
  batch: TensorBatch,
  ctx: StepContext,
  plan: OptimizerPlan,
  clipNorm: number | undefined,
  options: { gradientsOnly?: boolean } = {},
): CompiledStepGraph {
  const loss = problem.loss.bind(problem);
  const t1 = traceLoss(loss, vars, batch, ctx);
  const ctx2 = { ...ctx, seed: otherSeed(ctx.seed) };
  const t2 = traceLoss(loss, vars, batch, ctx2, false);
  const moved = perturb(batch);
  let t3: Trace;
  try {
    t3 = traceLoss(loss, vars, moved, ctx, false);
  } finally {
    tf.dispose(Object.values(moved));
  }
  const sig = traceSignature(t1);
  if (sig !== traceSignature(t2) || sig !== traceSignature(t3)) {
    throw new NotLowerableError('the loss runs different kernels from step to step (it branches on random or batch values in JS)');
  }
  const random = new Map<number, Omit<RandomInput, 'name'>>();
  t1.leaves.forEach((id, j) => {
    const a = t1.tensors.get(id)!;
    const b = t2.tensors.get(t2.leaves[j])!;
    const c = t3.tensors.get(t3.leaves[j])!;
    if (a.variable) {
      // A variable the fit does not train (a frozen encoder while a decoder is retrained) is a
      // constant of the graph, unless the loss itself changes it (batch-norm statistics): then
      // the three traces read different values, or it no longer holds what the trace read.
      const now = (tf.engine().registeredVariables as Record<string, tf.Variable | undefined>)[a.variable];
      if (!now || !same(a.values, b.values) || !same(a.values, c.values) || !same(a.values, now.dataSync() as Float32Array)) {
        throw new NotLowerableError(`the loss changes variable '${a.variable}', which it does not train (e.g. batch-norm statistics)`);
      }
      return;
    }
    if (!same(a.values, b.values)) random.set(id, identifyRandom(a, b, ctx.seed, ctx2.seed));
    else if (!same(a.values, c.values)) {
      throw new NotLowerableError(`the loss computes a [${a.shape}] tensor from the batch's values outside tfjs ops (e.g. with dataSync)`);
    }
  });
  const step = buildStepGraph({ trace: t1, random, plan, clipNorm, gradientsOnly: options.gradientsOnly });
  const randomLeaves = t1.leaves.flatMap((id, j) => (random.has(id) ? [j] : []));
  return { step, model: step.graph.toModel(), trace: t1, randomLeaves };
}

/**
 * Whether two traces of the same signature bake the same constants (leaves that are not
 * random inputs): a model whose constants changed between fits needs a new graph.
 */
export function sameConstants(a: Trace, b: Trace, randomLeaves: number[]): boolean {
  if (a.leaves.length !== b.leaves.length) return false;
  // Random draws differ from step to step; the graph takes those as inputs.
  return a.leaves.every((id, j) => randomLeaves.includes(j) || same(a.tensors.get(id)!.values, b.tensors.get(b.leaves[j])!.values));
}

/** Batch signature: keys, dtypes and shapes (one compiled graph per signature). */
export function batchSignature(batch: TensorBatch): string {
  return Object.keys(batch)
    .sort()
    .map((k) => `${k}:${batch[k].dtype}[${batch[k].shape.join(',')}]`)
    .join(';');
}
