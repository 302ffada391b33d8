/**
 * @file Test harness for the ONNX compiler: runs a one-op graph (plus a random projection to
 * a scalar) forward and backward on onnxruntime-node, and the same function through tfjs
 * autodiff, and reports the largest relative error of the output and of every gradient.
 */
import * as tf from '@tensorflow/tfjs';
import type * as Ort from 'onnxruntime-node';
import { addGradients } from '../ort/grad.js';
import { Graph, sizeOf } from '../ort/graph.js';
import { createSession, loadOrt } from '../ort/runtime.js';
import { createRng } from '../math/random.js';

/** One input of a rule case. */
export interface CaseInput {
  shape: number[];
  dtype?: 'float32' | 'int32' | 'bool';
  /** Values in [lo, hi) for floats (default [-1, 1)); a function for explicit values. */
  range?: [number, number];
  values?: number[];
  /** Differentiated (default: floats yes, others no). */
  diff?: boolean;
}

/** A rule case: the ONNX op(s) and the tfjs function computing the same thing. */
export interface RuleCase {
  name: string;
  inputs: CaseInput[];
  onnx: (g: Graph, xs: string[]) => string | string[];
  tfjs: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[];
}

/** Largest |a - b| over the largest |b| (a normwise relative error). */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let scale = 1e-6;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return a.length === b.length ? diff / scale : Infinity;
}

function values(input: CaseInput, rng: () => number): number[] {
  if (input.values) return input.values;
  const [lo, hi] = input.range ?? [-1, 1];
  const n = sizeOf(input.shape);
  if (input.dtype === 'bool') return Array.from({ length: n }, () => (rng() < 0.5 ? 1 : 0));
  if (input.dtype === 'int32') return Array.from({ length: n }, () => Math.floor(lo + rng() * (hi - lo)));
  return Array.from({ length: n }, () => lo + rng() * (hi - lo));
}

let ortModule: typeof Ort | undefined;

/**
 * Runs a case on both engines.
 * @returns the largest relative error of the outputs, and that of each differentiated input's gradient.
 */
export async function checkRule(c: RuleCase, seed = 1): Promise<{ output: number; gradients: number[] }> {
  if (!ortModule) {
    const m = await loadOrt();
    if (typeof m === 'string') throw new Error(m);
    ortModule = m;
  }
  const ort = ortModule;
  const rng = createRng(seed);
  const data = c.inputs.map((i) => values(i, rng));
  const diff = c.inputs.map((i) => i.diff ?? (i.dtype ?? 'float32') === 'float32');

  // tfjs: loss = sum_k sum(out_k * r_k) with fixed random projections r_k.
  const xs = c.inputs.map((i, k) => tf.tensor(data[k], i.shape, i.dtype ?? 'float32'));
  const outs0 = tf.tidy(() => [c.tfjs(...xs)].flat());
  const projections = outs0.map((o) => Float32Array.from({ length: o.size }, () => rng() * 2 - 1));
  const shapes = outs0.map((o) => o.shape);
  const tfOuts = outs0.map((o) => Float32Array.from(o.dataSync()));
  tf.dispose(outs0);
  const lossOf = (...ts: tf.Tensor[]) => {
    const all = xs.map((x, k) => (diff[k] ? ts[diff.slice(0, k).filter(Boolean).length] : x));
    const outs = [c.tfjs(...all)].flat();
    return tf.addN(outs.map((o, k) => tf.sum(tf.mul(o, tf.tensor(projections[k], shapes[k])))));
  };
  const diffXs = xs.filter((_, k) => diff[k]);
  const { value, grads } = tf.tidy(() => {
    const r = tf.valueAndGrads(lossOf)(diffXs);
    return { value: r.value, grads: r.grads };
  });
  const tfGrads = grads.map((t) => Float32Array.from(t.dataSync() as Float32Array));
  tf.dispose([value, ...grads, ...xs]);

  // ONNX: the same graph, differentiated by the rules.
  const g = new Graph();
  const names = c.inputs.map((i, k) => g.input(`x${k}`, i.shape, i.dtype ?? 'float32'));
  const outs = [c.onnx(g, names)].flat();
  const terms = outs.map((o, k) => g.reduce('ReduceSum', g.mul(o, g.constant(projections[k], g.shape(o))), g.shape(o).map((_, i) => i), false));
  const loss = terms.length === 1 ? terms[0] : g.node('Sum', terms, { shape: [], dtype: 'float32' });
  outs.forEach((o, k) => g.outputAs(g.cast(g.unary('Identity', o), 'float32'), `y${k}`));
  const wrt = names.filter((_, k) => diff[k]);
  const gs = addGradients(g, loss, wrt);
  gs.forEach((d, k) => g.outputAs(g.unary('Identity', d ?? g.constant(new Float32Array(sizeOf(g.shape(wrt[k]))), g.shape(wrt[k]))), `g${k}`));
  const session = await createSession(ort, g.toModel(), { intraOp: 1, spinning: false });
  const feeds: Record<string, Ort.Tensor> = {};
  c.inputs.forEach((i, k) => {
    const dtype = i.dtype ?? 'float32';
    const arr = dtype === 'float32' ? Float32Array.from(data[k]) : dtype === 'int32' ? Int32Array.from(data[k]) : Uint8Array.from(data[k]);
    feeds[names[k]] = new ort.Tensor(dtype, arr, i.shape);
  });
  const out = await session.run(feeds);
  await session.release();
  return {
    output: Math.max(...tfOuts.map((t, k) => relativeError(out[`y${k}`].data as Float32Array, t))),
    gradients: tfGrads.map((t, k) => relativeError(out[`g${k}`].data as Float32Array, t)),
  };
}

/**
 * Traces `fn` (a scalar of tfjs ops over `vars`), compiles it with the kernel lowerings and
 * rules, and runs it on onnxruntime-node.
 * @returns relative errors of the loss and of each variable's gradient against tfjs.
 */
export async function checkLowering(fn: (vars: tf.Variable[]) => tf.Scalar, varShapes: number[][], seed = 1): Promise<{ loss: number; gradients: number[]; kernels: string[] }> {
  const { traceLoss } = await import('../ort/trace.js');
  const { buildStepGraph } = await import('../ort/build.js');
  const { planOptimizer } = await import('../ort/optimizer.js');
  const m = await loadOrt();
  if (typeof m === 'string') throw new Error(m);
  const ort = m;
  const rng = createRng(seed);
  const vars = varShapes.map((s, i) => tf.variable(tf.tensor(Array.from({ length: sizeOf(s) }, () => rng() * 2 - 1), s), true, `lowering_case_${seed}_${i}_${Math.random()}`));
  const sgd = tf.train.sgd(0.1);
  try {
    const trace = traceLoss(() => ({ loss: fn(vars) }), vars, {}, { training: true, seed: 3, epoch: 0, batch: 0 });
    const step = buildStepGraph({ trace, random: new Map(), plan: planOptimizer(sgd), outputGradients: true });
    const session = await createSession(ort, step.graph.toModel(), { intraOp: 1, spinning: false });
    const feeds: Record<string, Ort.Tensor> = { neg_lr: new ort.Tensor('float32', Float32Array.of(0), []) };
    for (const i of [...step.trainable, ...step.frozen]) {
      feeds[step.trainable.includes(i) ? `w:${i}` : `f:${i}`] = new ort.Tensor('float32', Float32Array.from(vars[i].dataSync() as Float32Array), vars[i].shape);
    }
    const out = await session.run(feeds);
    await session.release();
    const loss = (out.loss.data as Float32Array)[0];
    return {
      loss: Math.abs(loss - trace.lossValue) / Math.max(Math.abs(trace.lossValue), 1e-6),
      gradients: step.trainable.map((i, j) => relativeError(out[`g:${i}`].data as Float32Array, trace.gradients[j])),
      kernels: [...new Set(trace.nodes.map((n) => n.kernel))],
    };
  } finally {
    sgd.dispose();
    tf.dispose(vars);
  }
}
