/**
 * @file Several training steps in one `InferenceSession.run`: the step graph becomes the body
 * of an ONNX `Loop` whose carried values are the weights and optimizer slots, and whose
 * per-step inputs (batches, random draws, the optimizer's scalars) are stacked along a leading
 * `steps` axis and gathered by the loop's iteration number.
 *
 * Why: onnxruntime-node hands every fetched output back as a new ArrayBuffer copy, even the
 * ones passed as preallocated buffers (`InferenceSessionWrap::Run`). A single-step graph
 * fetches all weights and Adam moments each step (5 MB for the dense AE); the copies and the
 * page faults of the heap they churn cost the dense AE's 1-thread fits a third of their speed
 * against its probe (bench/engine-threads/NOTES.md, session 7). In a loop of k steps the state
 * crosses the binding once per k steps; the steps in between hand it on inside onnxruntime.
 *
 * Graph (inputs and outputs keep the single-step graph's names, build.ts):
 * - inputs: `steps` (int64 scalar, the trip count k), each per-step input stacked as
 *   `[k, ...shape]`, the weights `w:<i>` and slots `s:<slot>:<i>` (carried), frozen `f:<i>`;
 * - outputs: `w:<i>:out` and `s:<slot>:<i>:out` after the k steps, and `loss`, `gnorm` and
 *   each metric `m:<name>` of every step, stacked as `[k]`.
 */
import type * as Ort from 'onnxruntime-node';
import type { StepContext, TensorBatch } from '../training/problem.js';
import { SLOT_FLOOR } from '../training/slot-flush.js';
import { batchArray, readBatchInto, type BatchArray } from './batch-read.js';
import type { StepGraph } from './build.js';
import { drawRandom } from './compile.js';
import { Graph, type ValueInfo } from './graph.js';
import { scalarValues, type OptimizerPlan } from './optimizer.js';
import { encodeModel, type GraphSpec, type NodeSpec } from './proto.js';

/**
 * Steps per run at most (step.ts): the dense AE's steps ran 1.38x faster in runs of 8 than one
 * by one, the conv and sequence AEs' as fast.
 */
export const MAX_STEPS_PER_RUN = 8;


/** Prefix of the body's own names: ONNX forbids a subgraph to reuse a name of its outer graph. */
const BODY = 'L/';

/** The names a multi-step run feeds and fetches, beside the single-step graph's. */
export interface MultiStepIo {
  /** Per-step inputs, fed stacked along a leading axis of the steps. */
  perStep: string[];
  /** Weights and slots, carried from step to step (each `x` comes out as `x:out`). */
  carried: string[];
  /** Per-step outputs, fetched stacked (`loss`, `gnorm`, metrics). */
  scans: string[];
}

/** Which inputs and outputs of a step graph are per step, carried, or outer (frozen weights). */
export function multiStepIo(step: StepGraph): MultiStepIo {
  const g = step.graph;
  const carried = g.inputs.filter((n) => n.startsWith('w:') || n.startsWith('s:'));
  const perStep = g.inputs.filter((n) => !carried.includes(n) && !n.startsWith('f:'));
  for (const c of carried) if (!g.outputs.includes(`${c}:out`)) throw new Error(`the step graph has no output ${c}:out`);
  const scans = g.outputs.filter((n) => !n.endsWith(':out'));
  return { perStep, carried, scans };
}

/**
 * The loop model of `step` (see the file comment). The body is the step graph itself, so a
 * loop of one step computes exactly what one run of the step graph does.
 */
export function buildMultiStepModel(step: StepGraph): Uint8Array {
  const g = step.graph;
  const io = multiStepIo(step);
  const frozen = new Set(g.inputs.filter((n) => n.startsWith('f:')));
  // Per-step inputs keep their names outside (stacked) and are gathered into `L/<name>` inside.
  const inner = (n: string) => (n === '' || frozen.has(n) ? n : BODY + n);
  const info = (n: string): ValueInfo => g.info(n);
  const iter = `${BODY}iter`;
  const gathers: NodeSpec[] = io.perStep.map((n) => ({ op: 'Gather', inputs: [n, iter], outputs: [inner(n)], attrs: { axis: { i: 0 } } }));
  const spec = g.toSpec();
  const nodes: NodeSpec[] = [
    ...gathers,
    ...spec.nodes.map((n) => ({ ...n, inputs: n.inputs.map(inner), outputs: n.outputs.map(inner) })),
    { op: 'Identity', inputs: [`${BODY}cond`], outputs: [`${BODY}cond:out`] },
  ];
  const body: GraphSpec = {
    graphName: 'step_body',
    nodes,
    initializers: spec.initializers.map((t) => ({ ...t, name: inner(t.name!) })),
    inputs: [
      { name: iter, dtype: 'int64', shape: [] },
      { name: `${BODY}cond`, dtype: 'bool', shape: [] },
      ...io.carried.map((n) => ({ name: inner(n), ...info(n) })),
    ],
    outputs: [
      { name: `${BODY}cond:out`, dtype: 'bool', shape: [] },
      ...io.carried.map((n) => ({ name: inner(`${n}:out`), ...info(`${n}:out`) })),
      ...io.scans.map((n) => ({ name: inner(n), ...info(n) })),
    ],
  };
  const outer = new Graph();
  outer.input('steps', [], 'int64');
  for (const n of io.perStep) outer.input(n, [-1, ...info(n).shape], info(n).dtype);
  for (const n of io.carried) outer.input(n, info(n).shape, info(n).dtype);
  for (const n of frozen) outer.input(n, info(n).shape, info(n).dtype);
  const outs = [...io.carried.map((n) => `${n}:out`), ...io.scans];
  // Optimizer slots leave the loop through a flush of values below SLOT_FLOOR, so none decays
  // into a subnormal float (training/slot-flush.ts): once per run, at most MAX_STEPS_PER_RUN steps.
  const slot = (n: string) => n.startsWith('s:') && info(n).dtype === 'float32';
  const loopOuts = [...io.carried.map((n) => (slot(n) ? `${n}:loop` : `${n}:out`)), ...io.scans];
  outer.nodeN(
    'Loop',
    ['steps', '', ...io.carried],
    [...io.carried.map((n) => info(`${n}:out`)), ...io.scans.map((n) => ({ shape: [-1, ...info(n).shape], dtype: info(n).dtype }))],
    { body: { g: body } },
    loopOuts,
  );
  const floor = outer.scalar(SLOT_FLOOR);
  const zero = outer.scalar(0);
  for (const n of io.carried.filter(slot)) {
    const x = `${n}:loop`;
    outer.node('Where', [outer.compare('Less', outer.unary('Abs', x), floor), zero, x], info(`${n}:out`), {}, `${n}:out`);
  }
  outs.forEach((n) => outer.output(n));
  return encodeModel({ opset: 17, irVersion: 8, producer: 'latentkit', ...outer.toSpec('training_steps') });
}

/** One step of a multi-step run: its batch, context (seed) and learning rate. */
export interface MultiStepItem {
  batch: TensorBatch;
  ctx: StepContext;
  rate: number;
}

/**
 * The per-step feeds of `items`, stacked: each batch input read into `buffers` (kept by the
 * caller, by name and size, as the single-step feeds are), each random input drawn with its
 * step's seed, each optimizer scalar for its step's rate and iteration; and `steps`.
 */
export async function stackedFeeds(
  ort: typeof Ort,
  step: StepGraph,
  items: MultiStepItem[],
  plan: OptimizerPlan,
  iterations: number,
  buffers: Map<string, BatchArray>,
): Promise<Record<string, Ort.Tensor>> {
  const k = items.length;
  const feeds: Record<string, Ort.Tensor> = { steps: new ort.Tensor('int64', BigInt64Array.of(BigInt(k)), []) };
  for (const b of step.batch) {
    const first = items[0].batch[b.key];
    const key = `${b.name}:${k}x${first.size}`;
    let data = buffers.get(key);
    if (!data) buffers.set(key, (data = batchArray(first, k)));
    for (let j = 0; j < k; j++) await readBatchInto(items[j].batch[b.key], data, j * first.size);
    feeds[b.name] = new ort.Tensor(first.dtype === 'bool' ? 'bool' : (first.dtype as 'float32' | 'int32'), data as Float32Array, [k, ...first.shape]);
  }
  for (const r of step.random) {
    const size = r.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(k * size);
    items.forEach((it, j) => data.set(drawRandom(r, it.ctx.seed), j * size));
    feeds[r.name] = new ort.Tensor('float32', data, [k, ...r.shape]);
  }
  const scalars = items.map((it, j) => scalarValues(plan, it.rate, iterations + j));
  for (const name of step.scalars) feeds[name] = new ort.Tensor('float32', Float32Array.from(scalars, (s) => s[name]), [k]);
  return feeds;
}
