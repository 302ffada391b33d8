/**
 * @file One data-parallel ("split") training step from the whole batch's feeds: the half-batch
 * gradient graph runs here on rows [0, n/2) and in the worker thread (split.ts) on [n/2, n) at
 * the same time, then the update graph averages the two gradients and writes the new weights
 * and optimizer state into the step runner's output buffers. See split.ts for why.
 */
import * as tf from '@tensorflow/tfjs';
import type * as Ort from 'onnxruntime-node';
import type { TensorBatch } from '../training/trainer.js';
import { buildUpdateGraph, type StepGraph } from './build.js';
import type { CompiledStepGraph } from './compile.js';
import type { OptimizerPlan } from './optimizer.js';
import { createSession } from './runtime.js';
import { HalfWorker, type WireTensor } from './split.js';
import { NotLowerableError } from './trace.js';

/** The graphs, sessions and worker of split steps for one compiled batch shape. */
export interface SplitSetup {
  /** The half-batch gradient graph, compiled. */
  compiled: CompiledStepGraph;
  halfSession: Ort.InferenceSession;
  update: Ort.InferenceSession;
  worker: HalfWorker;
  /**
   * Buffers reused from step to step (fresh megabyte arrays each step cost page faults): the
   * worker's input copies as they came back, its gradient outputs to hand back for the next
   * run, and this thread's gradient outputs.
   */
  spare: Map<string, WireTensor['data']>;
  recycle: Record<string, Float32Array>;
  mineOut: Record<string, Ort.Tensor>;
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
 * graph, and starts the worker.
 * @throws {NotLowerableError} when the half graph does not line up with the whole one.
 */
export async function prepareSplit(ort: typeof Ort, src: SplitSource): Promise<SplitSetup> {
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
  const update = buildUpdateGraph(
    plan,
    full.trainable.map((index) => ({ index, shape: [...shapes[index]] })),
    clipNorm,
  );
  const fixed: Record<string, WireTensor> = {};
  for (const i of full.frozen) {
    const t = frozen.get(i)!;
    fixed[`f:${i}`] = { type: 'float32', data: (t.data as Float32Array).slice(), dims: t.dims };
  }
  const threads = { intraOp: 1, spinning: false };
  const [halfSession, updateSession, worker] = await Promise.all([
    createSession(ort, half.model, threads),
    createSession(ort, update.graph.toModel(), threads),
    HalfWorker.start(half.model, fixed).catch((e: Error) => {
      throw new NotLowerableError(`the split-step worker did not start: ${e.message}`);
    }),
  ]);
  const mineOut = Object.fromEntries(full.trainable.map((i) => [`g:${i}`, new ort.Tensor('float32', new Float32Array(tf.util.sizeFromShape([...shapes[i]])), [...shapes[i]])]));
  return { compiled: half, halfSession, update: updateSession, worker, spare: new Map(), recycle: {}, mineOut };
}

/** Loss, metrics and gradient norm of a step. */
export interface StepOutputs {
  loss: number;
  gnorm: number;
  metrics: Record<string, number>;
}

/**
 * Runs one split step on the whole batch's `feeds` (as the whole graph takes them); the update
 * goes into the pre-allocated `updates` (`w:<i>:out`, `s:<slot>:<i>:out`).
 */
export async function runSplit(ort: typeof Ort, s: SplitSetup, full: StepGraph, feeds: Record<string, Ort.Tensor>, updates: Record<string, Ort.Tensor>): Promise<StepOutputs> {
  /** A copy of `src` for the worker, in the buffer that came back under `name` when it fits. */
  const copy = <T extends WireTensor['data']>(name: string, src: T): T => {
    const back = s.spare.get(name);
    s.spare.delete(name);
    const out = (back && back.constructor === src.constructor && back.length === src.length ? back : new (src.constructor as new (n: number) => T)(src.length)) as T;
    out.set(src as never);
    return out;
  };
  const mine: Record<string, Ort.Tensor> = {};
  const theirs: Record<string, WireTensor> = {};
  for (const t of [...full.batch, ...full.random]) {
    const whole = feeds[t.name];
    const data = whole.data as WireTensor['data'];
    const cut = data.length / 2;
    const dims = halfShape(whole.dims);
    mine[t.name] = new ort.Tensor(whole.type as 'float32', data.subarray(0, cut) as Float32Array, dims);
    theirs[t.name] = { type: whole.type as WireTensor['type'], data: copy(t.name, data.subarray(cut)), dims };
  }
  for (const i of full.trainable) {
    const w = feeds[`w:${i}`];
    mine[`w:${i}`] = w;
    theirs[`w:${i}`] = { type: 'float32', data: copy(`w:${i}`, w.data as Float32Array), dims: w.dims };
  }
  for (const i of full.frozen) mine[`f:${i}`] = feeds[`f:${i}`];
  const other = s.worker.run(theirs, s.recycle);
  s.recycle = {};
  let a: Ort.InferenceSession.OnnxValueMapType;
  try {
    const fetches = { loss: null, ...Object.fromEntries(full.metrics.map((m) => [`m:${m}`, null])), ...s.mineOut };
    a = await s.halfSession.run(mine, fetches as unknown as Ort.InferenceSession.FetchesType);
  } catch (e) {
    await other.catch(() => undefined);
    throw e;
  }
  const { values: b, inputs } = await other;
  for (const [k, v] of Object.entries(inputs)) s.spare.set(k, v);
  const up: Record<string, Ort.Tensor> = {};
  for (const i of full.trainable) {
    const w = feeds[`w:${i}`];
    up[`w:${i}`] = w;
    up[`ga:${i}`] = a[`g:${i}`];
    up[`gb:${i}`] = new ort.Tensor('float32', b[`g:${i}`], w.dims);
    s.recycle[`g:${i}`] = b[`g:${i}`];
  }
  for (const [k, v] of Object.entries(feeds)) if (k.startsWith('s:') || full.scalars.includes(k)) up[k] = v;
  const out = await s.update.run(up, { gnorm: null, ...updates } as unknown as Ort.InferenceSession.FetchesType);
  const mean = (name: string) => ((a[name].data as Float32Array)[0] + b[name][0]) / 2;
  return {
    loss: mean('loss'),
    gnorm: (out.gnorm.data as Float32Array)[0],
    metrics: Object.fromEntries(full.metrics.map((m) => [m, mean(`m:${m}`)])),
  };
}

/** Frees a setup's sessions and stops its worker. */
export function releaseSplit(s: SplitSetup): void {
  void s.worker.terminate().catch(() => undefined);
  void s.halfSession.release().catch(() => undefined);
  void s.update.release().catch(() => undefined);
}
