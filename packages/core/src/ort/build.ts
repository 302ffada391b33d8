/**
 * @file Builds one training-step graph from a trace: the lowered forward pass and loss,
 * reverse-mode gradients, optional global-norm clipping, and the optimizer update.
 *
 * Graph inputs: batch tensors (`b:<key>`), per-step random draws (`r:<k>`), trainable weights
 * (`w:<i>`), frozen weights (`f:<i>`), optimizer slots (`s:<slot>:<i>`) and per-step scalars.
 * Outputs: `loss`, metrics (`m:<name>`), `gnorm` (global gradient norm, before clipping), the
 * new weights (`w:<i>:out`) and slots (`s:<slot>:<i>:out`).
 */
import { Graph } from './graph.js';
import { addGradients } from './grad.js';
import { BASE_LOWERINGS, checkLowered, dtypeOf, type KernelCall, type Lowering } from './lower.js';
import { NN_LOWERINGS } from './lower-nn.js';
import { addUpdate, scalarInputs, type OptimizerPlan } from './optimizer.js';
import { collapseReshapes, fuseBias } from './passes.js';
import { NotLowerableError, type Trace } from './trace.js';

/** Every tfjs kernel the compiler lowers. */
export const LOWERINGS: Record<string, Lowering> = { ...BASE_LOWERINGS, ...NN_LOWERINGS };

/** A per-step random tensor the step graph takes as an input, drawn as tfjs draws it. */
export interface RandomInput {
  name: string;
  kind: 'normal' | 'uniform';
  shape: number[];
  /** Added to the step's seed (the loss's own offset). */
  seedOffset: number;
}

export interface StepGraphOptions {
  trace: Trace;
  /** Leaf id -> random input, for leaves that are per-step draws. */
  random: Map<number, Omit<RandomInput, 'name'>>;
  plan: OptimizerPlan;
  clipNorm?: number;
  /** Build the forward pass and loss only (no gradients, no update): for evaluation. */
  forwardOnly?: boolean;
  /** Also output each trainable weight's gradient as `g:<i>` (tests compare them with tfjs). */
  outputGradients?: boolean;
  /**
   * Stop after the gradients: output `loss`, metrics and `g:<i>`, with no norm and no update
   * (a half of a batch in data-parallel steps; {@link buildUpdateGraph} does the rest).
   */
  gradientsOnly?: boolean;
}

/** The graph and the meaning of its inputs and outputs. */
export interface StepGraph {
  graph: Graph;
  batch: { key: string; name: string; shape: number[]; dtype: string }[];
  random: RandomInput[];
  /** Trainable variable indices (into the problem's variable list), in input order. */
  trainable: number[];
  /** Variables the loss reads but does not train (fed as they are). */
  frozen: number[];
  metrics: string[];
  scalars: string[];
}

/**
 * Lowers the traced forward pass into `g`; returns graph names of the loss and metrics.
 * @throws {NotLowerableError} naming the first kernel the compiler cannot lower.
 */
function lowerForward(g: Graph, opts: StepGraphOptions, names: Map<number, string>): void {
  const { trace } = opts;
  let r = 0;
  for (const id of trace.leaves) {
    const t = trace.tensors.get(id)!;
    const rnd = opts.random.get(id);
    if (rnd) {
      names.set(id, g.input(`r:${r++}`, t.shape, dtypeOf(t)));
      continue;
    }
    names.set(id, g.constant(t.values!, t.shape, dtypeOf(t)));
  }
  for (const node of trace.nodes) {
    const lower = LOWERINGS[node.kernel];
    if (!lower) throw new NotLowerableError(`tfjs kernel ${node.kernel} has no ONNX lowering yet`);
    const inputs = new Map(node.inputs);
    const ordered = node.inputs.slice().sort(([a], [b]) => Number(a) - Number(b));
    const nameOf = (id: number) => {
      const n = names.get(id);
      if (n === undefined) throw new NotLowerableError(`${node.kernel} reads a tensor the trace did not see being made`);
      return n;
    };
    const call: KernelCall = {
      g,
      kernel: node.kernel,
      attrs: node.attrs,
      x: (k) => {
        const id = inputs.get(k);
        if (id === undefined) throw new NotLowerableError(`${node.kernel} has no input '${k}'`);
        return nameOf(id);
      },
      has: (k) => inputs.has(k),
      list: ordered.map(([, id]) => nameOf(id)),
      out: node.outputs.map((id) => trace.tensors.get(id)!),
    };
    let outs: string[];
    try {
      const res = lower(call);
      outs = Array.isArray(res) ? res : [res];
    } catch (e) {
      if (e instanceof NotLowerableError) throw e;
      throw new NotLowerableError(`lowering ${node.kernel}: ${(e as Error).message}`);
    }
    checkLowered(g, node.kernel, outs, call.out);
    node.outputs.forEach((id, i) => {
      let name = outs[i];
      if (trace.stopGradient.has(id)) {
        name = g.node('Identity', [name], g.info(name));
        g.nodes[g.nodes.length - 1].stopGradient = true;
      }
      names.set(id, name);
    });
  }
}

/** Builds the graph. @throws {NotLowerableError} when any part cannot be expressed. */
export function buildStepGraph(opts: StepGraphOptions): StepGraph {
  const { trace, plan } = opts;
  const g = new Graph();
  const names = new Map<number, string>();
  const batch: StepGraph['batch'] = [];
  for (const [id, key] of trace.batch) {
    const t = trace.tensors.get(id);
    if (!t) continue; // not read by the loss
    const name = g.input(`b:${key}`, t.shape, dtypeOf(t));
    names.set(id, name);
    batch.push({ key, name, shape: t.shape, dtype: t.dtype });
  }
  const trainable = opts.forwardOnly ? [] : trace.trainable.slice();
  const frozen: number[] = [];
  for (const [id, index] of trace.variables) {
    const t = trace.tensors.get(id);
    if (!t) continue;
    if (trainable.includes(index)) names.set(id, g.input(`w:${index}`, t.shape));
    else {
      names.set(id, g.input(`f:${index}`, t.shape));
      frozen.push(index);
    }
  }
  lowerForward(g, opts, names);
  for (const pass of [collapseReshapes, fuseBias]) {
    const renamed = pass(g);
    for (const [id, name] of names) if (renamed.has(name)) names.set(id, renamed.get(name)!);
  }
  const random: RandomInput[] = [];
  let r = 0;
  for (const id of trace.leaves) {
    const spec = opts.random.get(id);
    if (spec) random.push({ name: `r:${r++}`, ...spec });
  }
  const loss = names.get(trace.loss)!;
  if (g.shape(loss).length !== 0) throw new NotLowerableError(`the loss has shape [${g.shape(loss)}], not a scalar`);
  g.node('Identity', [loss], g.info(loss), {}, 'loss');
  g.output('loss');
  const metrics: string[] = [];
  for (const [key, id] of trace.metrics) {
    const m = names.get(id)!;
    if (g.shape(m).length !== 0) throw new NotLowerableError(`metric '${key}' is not a scalar`);
    g.node('Identity', [m], g.info(m), {}, `m:${key}`);
    g.output(`m:${key}`);
    metrics.push(key);
  }
  if (opts.forwardOnly) return { graph: g, batch, random, trainable, frozen, metrics, scalars: [] };

  const weightNames = trainable.map((i) => `w:${i}`);
  const grads = addGradients(g, loss, weightNames);
  grads.forEach((d, j) => {
    if (d === undefined) throw new NotLowerableError(`tfjs found a gradient for weight ${trainable[j]}, the compiled graph none`);
  });
  let gs = grads as string[];
  if (opts.outputGradients || opts.gradientsOnly) gs.forEach((d, j) => g.outputAs(g.unary('Identity', d), `g:${trainable[j]}`));
  if (opts.gradientsOnly) {
    collapseReshapes(g);
    return { graph: g, batch, random, trainable, frozen, metrics, scalars: [] };
  }
  const scalars = addNormAndUpdate(g, plan, trainable, weightNames, gs, opts.clipNorm);
  collapseReshapes(g); // again: the gradient rules reshape too
  return { graph: g, batch, random, trainable, frozen, metrics, scalars };
}

/**
 * Appends the global gradient norm (output `gnorm`), optional clipping and the optimizer update
 * of every trainable weight (inputs `s:<slot>:<i>` and the plan's scalars; outputs `w:<i>:out`
 * and `s:<slot>:<i>:out`). Returns the names of the scalar inputs.
 */
function addNormAndUpdate(g: Graph, plan: OptimizerPlan, trainable: number[], weightNames: string[], grads: string[], clipNorm: number | undefined, norm?: string): string[] {
  let gs = grads;
  let gnorm = norm;
  if (gnorm === undefined) {
    gnorm = g.node('Sqrt', [sumOfSquares(g, gs)], { shape: [], dtype: 'float32' }, {}, 'gnorm');
    g.output('gnorm');
  }
  if (clipNorm) {
    // tfjs path: scale = min(1, clipNorm / max(norm, 1e-12)).
    const scale = g.binary('Min', g.scalar(1), g.div(g.scalar(clipNorm), g.binary('Max', gnorm, g.scalar(1e-12))));
    gs = gs.map((d) => g.mul(d, scale));
  }
  const scalars = scalarInputs(plan);
  const scalarNames = Object.fromEntries(scalars.map((s) => [s, g.input(s, [])]));
  trainable.forEach((index, j) => {
    const w = weightNames[j];
    const slots = plan.slots.map((s) => g.input(`s:${s}:${index}`, g.shape(w)));
    const next = addUpdate(g, plan, w, gs[j], slots, scalarNames);
    g.outputAs(next.w, `${w}:out`);
    plan.slots.forEach((s, k) => g.outputAs(next.slots[k], `s:${s}:${index}:out`));
  });
  return scalars;
}

/** The sum of squares of every element of `grads` (a scalar). */
function sumOfSquares(g: Graph, grads: string[]): string {
  const squares = grads.map((d) => g.node('ReduceSumSquare', [d], { shape: [], dtype: 'float32' }, { keepdims: { i: 0 } }));
  return squares.length === 1 ? squares[0] : g.node('Sum', squares, { shape: [], dtype: 'float32' });
}

/** Weights as the update graphs take them: variable index and shape. */
export type WeightSpec = { index: number; shape: number[] };

/** Inputs `ga:<i>` and `gb:<i>` averaged: a mean loss's gradient from its two halves of rows. */
function averaged(g: Graph, weights: WeightSpec[]): string[] {
  const half = g.scalar(0.5);
  return weights.map(({ index, shape }) => g.mul(g.add(g.input(`ga:${index}`, shape), g.input(`gb:${index}`, shape)), half));
}

/**
 * The second half of a data-parallel step: the gradients of two equal halves of a batch
 * (inputs `ga:<i>`, `gb:<i>`) averaged, which for a loss that is a mean over the batch's rows is
 * the whole batch's gradient, then the norm, clipping and update as in {@link buildStepGraph}.
 * Inputs and outputs otherwise as there (`w:<i>`, slots, scalars; `gnorm`, `w:<i>:out`, ...).
 *
 * When each thread updates a share of the weights (split.ts), `gnorm` is the norm of this
 * share's gradient. Clipping needs the norm of all of them, so with `averagedInput` the graph
 * instead takes the averaged gradients (`g:<i>`, from {@link buildAverageGraph}) and the global
 * norm (input `gnorm`), and outputs no norm.
 */
export function buildUpdateGraph(plan: OptimizerPlan, weights: WeightSpec[], clipNorm: number | undefined, options: { averagedInput?: boolean } = {}): { graph: Graph; scalars: string[] } {
  const g = new Graph();
  const weightNames = weights.map(({ index, shape }) => g.input(`w:${index}`, shape));
  const grads = options.averagedInput ? weights.map(({ index, shape }) => g.input(`g:${index}`, shape)) : averaged(g, weights);
  const norm = options.averagedInput ? g.input('gnorm', []) : undefined;
  const scalars = addNormAndUpdate(
    g,
    plan,
    weights.map((w) => w.index),
    weightNames,
    grads,
    clipNorm,
    norm,
  );
  return { graph: g, scalars };
}

/**
 * The two halves' gradients (`ga:<i>`, `gb:<i>`) averaged into outputs `g:<i>`, with their sum
 * of squares (`sumsq`): the first of the two update graphs of a thread's share of the weights
 * when the step clips by the global norm.
 */
export function buildAverageGraph(weights: WeightSpec[]): Graph {
  const g = new Graph();
  const grads = averaged(g, weights);
  g.node('Identity', [sumOfSquares(g, grads)], { shape: [], dtype: 'float32' }, {}, 'sumsq');
  g.output('sumsq');
  grads.forEach((d, j) => g.outputAs(d, `g:${weights[j].index}`));
  return g;
}
