/**
 * @file What compiled steps read and write, kept in JS between runs: the trainable weights and
 * optimizer slots in two buffer sets, the frozen weights, the iteration count, and the batch
 * buffers; the feeds and fetches of a single-step or multi-step run made from them; and the
 * copies to and from the tfjs variables and optimizer.
 *
 * Buffers: two sets, swapped each run. A run reads set A and ORT writes its outputs straight
 * into set B (pre-allocated fetches), so no weight is copied between runs on this side.
 */
import * as tf from '@tensorflow/tfjs';
import type * as Ort from 'onnxruntime-node';
import type { StepContext, TensorBatch } from '../training/problem.js';
import { readBatchTensor, type BatchArray } from './batch-read.js';
import { drawRandom } from './compile.js';
import type { StepGraph } from './build.js';
import { stackedFeeds, type MultiStepItem } from './multi-step.js';
import { readOptimizerState, scalarValues, writeOptimizerState, type OptimizerPlan, type OptimizerState } from './optimizer.js';
import type { StepOutputs } from './split-step.js';

/** Loss, metrics and gradient norm of a whole-batch run. */
export function outputsOf(step: StepGraph, out: Ort.InferenceSession.OnnxValueMapType): StepOutputs {
  const metrics: Record<string, number> = {};
  for (const m of step.metrics) metrics[m] = (out[`m:${m}`].data as Float32Array)[0];
  return { loss: (out.loss.data as Float32Array)[0], gnorm: (out.gnorm.data as Float32Array)[0], metrics };
}

/** The weights, slots and counters of one fit's compiled steps (see the file comment). */
export class StepState {
  /** Trainable variable indices, in the step graphs' order; set by {@link init}. */
  trainable: number[] | undefined;
  /** [set][weight]: two buffer sets, `cur` indexes the one holding the current values. */
  weights: Float32Array[][] = [[], []];
  slots: Float32Array[][][] = [[], []];
  cur = 0;
  iterations = 0;
  /** Steps were taken since the tfjs variables last got the weights. */
  dirty = false;
  readonly frozen = new Map<number, Ort.Tensor>();
  /** Batch inputs' values, by input name and size, refilled each step (see batch-read.ts). */
  private readonly batchBuffers = new Map<string, BatchArray>();

  constructor(
    private readonly ort: typeof Ort,
    private readonly vars: tf.Variable[],
    private readonly optimizer: tf.Optimizer,
    private readonly plan: OptimizerPlan,
  ) {}

  /** Takes the weights of `trainable` and the optimizer's state from tfjs (the first compiled shape). */
  async init(trainable: number[]): Promise<void> {
    this.trainable = trainable;
    const tv = trainable.map((i) => this.vars[i]);
    const state = await readOptimizerState(this.optimizer, this.plan, tv);
    this.iterations = state.iterations;
    this.weights = [tv.map((v) => Float32Array.from(v.dataSync() as Float32Array)), tv.map((v) => new Float32Array(v.size))];
    this.slots = [state.slots, state.slots.map((s) => s.map((a) => new Float32Array(a.length)))];
    this.cur = 0;
  }

  /** Holds the values of the variables `indices` as frozen inputs (those not held yet). */
  addFrozen(indices: number[]): void {
    for (const i of indices) {
      if (!this.frozen.has(i)) this.frozen.set(i, new this.ort.Tensor('float32', Float32Array.from(this.vars[i].dataSync() as Float32Array), this.vars[i].shape));
    }
  }

  /** The optimizer's current learning rate (the trainer sets it per step). */
  rate(): number {
    return (this.optimizer as unknown as { learningRate: number }).learningRate;
  }

  /** Every feed of one single-step run on `batch`. */
  async feeds(step: StepGraph, batch: TensorBatch, ctx: StepContext): Promise<Record<string, Ort.Tensor>> {
    const ort = this.ort;
    const feeds: Record<string, Ort.Tensor> = {};
    for (const b of step.batch) {
      const t = batch[b.key];
      const key = `${b.name}:${t.size}`;
      const data = await readBatchTensor(t, this.batchBuffers.get(key));
      this.batchBuffers.set(key, data);
      feeds[b.name] = new ort.Tensor(t.dtype === 'bool' ? 'bool' : (t.dtype as 'float32' | 'int32'), data as Float32Array, t.shape);
    }
    for (const r of step.random) feeds[r.name] = new ort.Tensor('float32', drawRandom(r, ctx.seed), r.shape);
    for (const [k, v] of Object.entries(scalarValues(this.plan, this.rate(), this.iterations))) feeds[k] = new ort.Tensor('float32', Float32Array.of(v), []);
    return { ...feeds, ...this.stateFeeds(step) };
  }

  /** The current weights and slots (`w:<i>`, `s:<slot>:<i>`) and the frozen weights (`f:<i>`). */
  stateFeeds(step: StepGraph): Record<string, Ort.Tensor> {
    const ort = this.ort;
    const feeds: Record<string, Ort.Tensor> = {};
    const w = this.weights[this.cur];
    const s = this.slots[this.cur];
    this.trainable!.forEach((index, j) => {
      const shape = this.vars[index].shape;
      feeds[`w:${index}`] = new ort.Tensor('float32', w[j], shape);
      this.plan.slots.forEach((name, k) => (feeds[`s:${name}:${index}`] = new ort.Tensor('float32', s[k][j], shape)));
    });
    for (const i of step.frozen) feeds[`f:${i}`] = this.frozen.get(i)!;
    return feeds;
  }

  /** The fetches of a run: loss, gnorm and metrics, and the updates into the other buffer set. */
  fetches(step: StepGraph): Record<string, Ort.Tensor | null> {
    const ort = this.ort;
    const next = 1 - this.cur;
    const out: Record<string, Ort.Tensor | null> = { loss: null, gnorm: null, ...Object.fromEntries(step.metrics.map((m) => [`m:${m}`, null])) };
    this.trainable!.forEach((index, j) => {
      const shape = this.vars[index].shape;
      out[`w:${index}:out`] = new ort.Tensor('float32', this.weights[next][j], shape);
      this.plan.slots.forEach((name, k) => (out[`s:${name}:${index}:out`] = new ort.Tensor('float32', this.slots[next][k][j], shape)));
    });
    return out;
  }

  /** After a run of `steps` steps wrote the other set: it becomes the current one. */
  swap(steps: number): void {
    this.cur = 1 - this.cur;
    this.iterations += steps;
    this.dirty = true;
  }

  /** Runs `items` on a multi-step session from the current buffer set into the other one. */
  async runLoop(session: Ort.InferenceSession, step: StepGraph, items: MultiStepItem[]): Promise<StepOutputs[]> {
    const feeds = { ...(await stackedFeeds(this.ort, step, items, this.plan, this.iterations, this.batchBuffers)), ...this.stateFeeds(step) };
    const out = await session.run(feeds, this.fetches(step) as unknown as Ort.InferenceSession.FetchesType);
    const at = (name: string, j: number) => (out[name].data as Float32Array)[j];
    return items.map((_, j) => ({ loss: at('loss', j), gnorm: at('gnorm', j), metrics: Object.fromEntries(step.metrics.map((m) => [m, at(`m:${m}`, j)])) }));
  }

  /**
   * `items` as loops of one step each on a multi-step session, from the current state, into
   * scratch outputs (nothing here changes): what the loop over all of them must agree with.
   */
  async singlesFrom(session: Ort.InferenceSession, step: StepGraph, items: MultiStepItem[]): Promise<StepOutputs[]> {
    let state = this.stateFeeds(step);
    const out: StepOutputs[] = [];
    for (const [j, it] of items.entries()) {
      const feeds = await stackedFeeds(this.ort, step, [it], this.plan, this.iterations + j, new Map());
      const r = await session.run({ ...feeds, ...state });
      out.push({ loss: (r.loss.data as Float32Array)[0], gnorm: (r.gnorm.data as Float32Array)[0], metrics: {} });
      state = { ...state, ...Object.fromEntries(Object.keys(state).filter((k) => !k.startsWith('f:')).map((k) => [k, r[`${k}:out`] as Ort.Tensor])) };
    }
    return out;
  }

  /** After a step on tfjs: the current set takes the tfjs weights and optimizer state. */
  async readFromTfjs(): Promise<void> {
    const tv = this.trainable!.map((i) => this.vars[i]);
    const state = await readOptimizerState(this.optimizer, this.plan, tv);
    tv.forEach((v, j) => this.weights[this.cur][j].set(v.dataSync() as Float32Array));
    state.slots.forEach((slot, k) => slot.forEach((a, j) => this.slots[this.cur][k][j].set(a)));
    this.iterations = state.iterations;
    this.dirty = false;
  }

  /** The tfjs variables and optimizer take the current weights and state. */
  async writeToTfjs(): Promise<void> {
    const tv = this.trainable!.map((i) => this.vars[i]);
    // The cpu and webgl backends may keep a reference to a typed array they are given, so they
    // get copies; wasm copies into its own heap at once, and copying first would only make
    // garbage (the sentence autoencoder's weights and moments are ~30 MB per sync).
    const own = tf.getBackend() === 'wasm' ? (a: Float32Array) => a : (a: Float32Array) => a.slice();
    tf.tidy(() => tv.forEach((v, j) => v.assign(tf.tensor(own(this.weights[this.cur][j]), v.shape, 'float32'))));
    await writeOptimizerState(this.optimizer, this.plan, tv, { iterations: this.iterations, slots: this.slots[this.cur].map((s) => s.map(own)) });
    this.dirty = false;
  }

  /** The current optimizer state as tfjs would hold it. */
  optimizerState(): OptimizerState {
    return { iterations: this.iterations, slots: this.slots[this.cur] };
  }
}
