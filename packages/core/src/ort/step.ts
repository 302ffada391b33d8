/**
 * @file Takes training steps on onnxruntime-node: one compiled graph per batch signature
 * (the last, smaller batch of an epoch gets its own), weights and optimizer slots kept in JS
 * buffers between steps and written back to tfjs on `sync()`.
 *
 * Shapes: the fit's first batch shape is its main one (its steps get the thread probe). Up to
 * {@link MAX_COMPILED_SHAPES} shapes are compiled; the others run on one thread. A batch of a
 * shape beyond that, or one whose graph fails,
 * takes its step on tfjs with the weights, optimizer slots and iteration count synced both
 * ways around it, so the fit loses no step and the next batch is back on onnxruntime.
 *
 * Buffers: two sets, swapped each step. A step reads set A and ORT writes its outputs straight
 * into set B (pre-allocated fetches), so no weight is copied between steps.
 *
 * Safety: the first step of each signature is checked against tfjs on the same batch (loss
 * and gradient norm within 1e-3); a step that cannot be compiled or disagrees hands training
 * to the tfjs runner after a sync, with the one-line reason, and never throws for it.
 */
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import type * as Ort from 'onnxruntime-node';
import { TfjsStepRunner, type StepResult, type StepRunner, type TrainingEngine } from '../training/step-runner.js';
import type { StepContext, TensorBatch, TrainingProblem } from '../training/trainer.js';
import { batchSignature, compileStepGraph, drawRandom, sameConstants, type CompiledStepGraph } from './compile.js';
import { readBatchTensor, type BatchArray } from './batch-read.js';
import { readOptimizerState, scalarValues, writeOptimizerState, type OptimizerPlan, type OptimizerState } from './optimizer.js';
import { createSession } from './runtime.js';
import { dropIdleSplits, dropSplit, modelCache, splitStarted, type CacheEntry } from './step-cache.js';
import { prepareSplit, runSplit, sameFrozen, splittable, storeState, type SplitSetup, type StepOutputs } from './split-step.js';
import { ThreadChooser, type StepMode } from './threads.js';
import { NotLowerableError, traceLoss, traceSignature } from './trace.js';

/** Options of {@link OrtStepRunner}. */
export interface OrtStepOptions {
  clipNorm?: number;
  /** Intra-op threads, 'split' (two half batches at once), or 'auto' (measure them while training). */
  threads: StepMode | 'auto';
  /** Steps the fit will take, when known. */
  expectedSteps?: number | undefined;
  /** Epochs the fit will run. */
  epochs?: number | undefined;
  /** Told when the engine changes (tfjs fallback), with the reason. */
  onEngine?: (engine: TrainingEngine, reason?: string) => void;
}

interface Compiled extends CompiledStepGraph {
  sessions: Map<string, Promise<Ort.InferenceSession>>;
  threads: ThreadChooser;
  verified: boolean;
  /** The cache entry (it holds the split-step setup across fits). */
  entry: CacheEntry;
  /** The fit's first compiled shape (see the file comment). */
  main: boolean;
}

const TOLERANCE = 1e-3;
/**
 * Batch shapes one fit compiles (the main one, a short last batch, a few more for data whose
 * batches vary). Each holds a session and its memory; batches of further shapes take their
 * step on tfjs (exact, but slower), so data with many shapes does not grow memory.
 */
export const MAX_COMPILED_SHAPES = 4;

/** Fits of fewer steps do not probe in 'auto' (a probe takes 24 steps). */
export const MIN_PROBED_STEPS = 100;
/**
 * Steps of a fit before 'auto' may probe: its first second is not the machine it will train on
 * (the previous model's workers and sessions being freed, a collection of its garbage, cold
 * code). A probe in it timed split steps of the image benchmark's deep-conv AE at 36.8 ms
 * instead of 21-25 and kept 1 thread, at 1,330-1,430 images/s instead of ~2,900, until the
 * next probe.
 */
const PROBE_AFTER = 12;

/** Loss, metrics and gradient norm of a whole-batch run. */
function outputsOf(c: CompiledStepGraph, out: Ort.InferenceSession.OnnxValueMapType): StepOutputs {
  const metrics: Record<string, number> = {};
  for (const m of c.step.metrics) metrics[m] = (out[`m:${m}`].data as Float32Array)[0];
  return { loss: (out.loss.data as Float32Array)[0], gnorm: (out.gnorm.data as Float32Array)[0], metrics };
}

function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= TOLERANCE * Math.max(Math.abs(a), Math.abs(b), 1e-3);
}

/** Compiled training steps on onnxruntime-node, with tfjs as the fallback. */
export class OrtStepRunner implements StepRunner {
  engine: TrainingEngine = 'onnxruntime';
  fallbackReason: string | undefined;
  private fallback: TfjsStepRunner | undefined;
  private readonly compiled = new Map<string, Compiled>();
  /** Shapes whose batches step on tfjs, with the reason (see the file comment). */
  private readonly tfjsShapes = new Map<string, string>();
  private tfjsSteps: TfjsStepRunner | undefined;
  /** Batches of the epoch in progress (or just ended): all, and those stepped on tfjs. */
  private epochCount = { epoch: -1, all: 0, tfjs: 0, shapes: new Set<string>() };
  private trainable: number[] | undefined;
  /** [set][weight]: two buffer sets, `cur` indexes the one holding the current values. */
  private weights: Float32Array[][] = [[], []];
  private slots: Float32Array[][][] = [[], []];
  private cur = 0;
  private frozen = new Map<number, Ort.Tensor>();
  private iterations = 0;
  private dirty = false;
  /**
   * The split setup whose workers hold the current weights and optimizer slots after split
   * steps (this runner's buffers lag until {@link reclaim}). Undefined after any other step.
   */
  private splitHolds: SplitSetup | undefined;
  /** Batch inputs' values, by input name and size, refilled each step (see batch-read.ts). */
  private readonly batchBuffers = new Map<string, BatchArray>();
  /** Setups whose frozen weights this fit has checked against its own. */
  private readonly frozenChecked = new WeakSet<SplitSetup>();

  constructor(
    private readonly ort: typeof Ort,
    private readonly problem: TrainingProblem<unknown>,
    private readonly vars: tf.Variable[],
    private readonly optimizer: tf.Optimizer,
    private readonly plan: OptimizerPlan,
    private readonly options: OrtStepOptions,
  ) {}

  /** When the last compiled step ended (the thread choice times steps end to end). */
  private lastStepEnd: number | undefined;
  /** Batches of the fit's first epoch, once it is over. */
  private firstEpochSteps: number | undefined;
  /** Steps this fit has taken. */
  private fitSteps = 0;

  async step(batch: TensorBatch, ctx: StepContext): Promise<StepResult> {
    if (this.fallback) return this.fallback.step(batch, ctx);
    const n = this.epochCount;
    if (n.epoch !== ctx.epoch) {
      if (n.epoch !== -1) this.firstEpochSteps ??= n.all;
      Object.assign(n, { epoch: ctx.epoch, all: 0, tfjs: 0, shapes: new Set() });
    }
    n.all++;
    this.fitSteps++;
    const sig = batchSignature(batch);
    if (!this.tfjsShapes.has(sig)) {
      try {
        return await this.ortStep(batch, ctx, sig);
      } catch (e) {
        if (!(e instanceof NotLowerableError)) throw e;
        const main = [...this.compiled.values()].find((c) => c.main);
        // The main shape did not compile: nothing runs on onnxruntime, the fit goes to tfjs.
        if (!main?.verified) {
          await this.useTfjs(e.message);
          return this.fallback!.step(batch, ctx);
        }
        this.compiled.delete(sig);
        this.tfjsShapes.set(sig, e.message);
      }
    }
    n.tfjs++;
    n.shapes.add(sig);
    return this.tfjsStep(batch, ctx);
  }

  /**
   * One step on tfjs between compiled ones: tfjs gets the current weights and optimizer state,
   * steps, and hands both back, so Adam's moments and bias correction stay exact.
   */
  private async tfjsStep(batch: TensorBatch, ctx: StepContext): Promise<StepResult> {
    await this.sync();
    this.tfjsSteps ??= new TfjsStepRunner(this.problem, this.vars, this.optimizer, this.options.clipNorm);
    const result = await this.tfjsSteps.step(batch, ctx);
    const tv = this.trainable!.map((i) => this.vars[i]);
    const state = await readOptimizerState(this.optimizer, this.plan, tv);
    tv.forEach((v, j) => this.weights[this.cur][j].set(v.dataSync() as Float32Array));
    state.slots.forEach((slot, k) => slot.forEach((a, j) => this.slots[this.cur][k][j].set(a)));
    this.iterations = state.iterations;
    this.dirty = false;
    return result;
  }

  /**
   * Which share of the current (or just ended) epoch's batches stepped on tfjs, and why; e.g.
   * `1 of 43 batches per epoch on tfjs (shape x:float32[12,64]: ...)`. Undefined when none did.
   */
  note(): string | undefined {
    const n = this.epochCount;
    if (this.fallback || n.tfjs === 0) return undefined;
    const shapes = [...n.shapes];
    const why = this.tfjsShapes.get(shapes[0]);
    return `${n.tfjs} of ${n.all} batches per epoch on tfjs (shape ${shapes[0]}${shapes.length > 1 ? ` and ${shapes.length - 1} more` : ''}: ${why})`;
  }

  /** How the main shape's steps use the cores (and why split halves do not run, if they were wanted). */
  cores(): string | undefined {
    const main = [...this.compiled.values()].find((c) => c.main);
    if (!main || this.fallback) return undefined;
    const why = main.entry.splitFailed;
    // Only a split the user asked for needs its refusal explained; 'auto' just does not pick it.
    const wanted = this.options.threads === 'split';
    const what = main.threads.describe();
    return what === undefined ? undefined : `${what}${why !== undefined && wanted ? `; no split halves: ${why}` : ''}`;
  }

  private async useTfjs(reason: string): Promise<void> {
    await this.sync();
    this.fallbackReason = reason;
    this.fallback = new TfjsStepRunner(this.problem, this.vars, this.optimizer, this.options.clipNorm, reason);
    this.engine = 'tfjs';
    this.options.onEngine?.('tfjs', reason);
  }

  private async compile(batch: TensorBatch, ctx: StepContext, sig: string, main: boolean): Promise<Compiled> {
    // A batch of a new shape mid-run (a short last batch) is traced on the tfjs variables, which
    // lag behind the weights held here until a sync: without one, the trace and the compiled
    // step start from different weights and the first-batch check fails.
    await this.sync();
    const key = `${sig}|${JSON.stringify(this.plan)}|${this.options.clipNorm ?? ''}`;
    const perModel = modelCache(this.problem);
    let entry = perModel.get(key);
    let c: CompiledStepGraph;
    if (entry) {
      const trace = traceLoss(this.problem.loss.bind(this.problem), this.vars, batch, ctx);
      if (traceSignature(trace) === entry.signature && sameConstants(trace, entry.graph.trace, entry.graph.randomLeaves)) c = { ...entry.graph, trace };
      else entry = undefined;
    }
    if (!entry) {
      c = compileStepGraph(this.problem, this.vars, batch, ctx, this.plan, this.options.clipNorm);
      entry = { graph: { ...c, trace: { ...c.trace, gradients: [] } }, signature: traceSignature(c.trace), sessions: new Map(), choosers: new Map() };
      perModel.set(key, entry);
    }
    c = c!;
    const trainable = c.step.trainable;
    if (!this.trainable) {
      this.trainable = trainable;
      const tv = trainable.map((i) => this.vars[i]);
      const state = await readOptimizerState(this.optimizer, this.plan, tv);
      this.iterations = state.iterations;
      this.weights = [tv.map((v) => Float32Array.from(v.dataSync() as Float32Array)), tv.map((v) => new Float32Array(v.size))];
      this.slots = [state.slots, state.slots.map((s) => s.map((a) => new Float32Array(a.length)))];
      this.cur = 0;
    } else if (trainable.join() !== this.trainable.join()) {
      throw new NotLowerableError('a batch of another shape trains a different set of weights');
    }
    for (const i of c.step.frozen) {
      if (!this.frozen.has(i)) this.frozen.set(i, new this.ort.Tensor('float32', Float32Array.from(this.vars[i].dataSync() as Float32Array), this.vars[i].shape));
    }
    const setting = String(this.options.threads);
    if (!entry.choosers.has(setting)) entry.choosers.set(setting, new ThreadChooser(this.options.threads, availableParallelism(), main && splittable(c.step)));
    const compiled: Compiled = { ...c, sessions: entry.sessions, threads: entry.choosers.get(setting)!, verified: false, main, entry };
    this.compiled.set(sig, compiled);
    return compiled;
  }

  /**
   * Whether split steps can run for this shape, making their graphs and worker the first time
   * (the half graph is traced on tfjs variables, so they get the current weights first). A shape
   * that cannot split is taken out of the thread choice, with the reason kept for tests.
   */
  private async splitReady(c: Compiled, batch: TensorBatch, ctx: StepContext): Promise<boolean> {
    const e = c.entry;
    if (e.splitFailed !== undefined) return false;
    // A setup made by an earlier fit gave its worker that fit's frozen weights.
    const earlier = e.split && (await e.split.catch(() => undefined));
    if (earlier && !this.frozenChecked.has(earlier)) {
      if (sameFrozen(earlier, this.frozen)) this.frozenChecked.add(earlier);
      else this.releaseMode(c, 'split');
    }
    if (!e.split) {
      await this.sync();
      dropIdleSplits(e);
      splitStarted(e, prepareSplit({
        compile: (half) => compileStepGraph(this.problem, this.vars, half, ctx, this.plan, this.options.clipNorm, { gradientsOnly: true }),
        batch,
        plan: this.plan,
        clipNorm: this.options.clipNorm,
        shapes: this.vars.map((v) => v.shape),
        full: c.step,
        frozen: this.frozen,
        compiled: e.splitGraph,
      }));
    }
    const made = e.split!;
    try {
      this.frozenChecked.add(await made);
      return true;
    } catch (err) {
      if (!(err instanceof NotLowerableError)) throw err;
      this.noSplit(c, err.message);
      return false;
    }
  }

  private noSplit(c: Compiled, reason: string): void {
    c.entry.splitFailed = reason;
    c.threads.exclude('split');
  }

  /**
   * One split step. The first one of a shape is checked: the whole-batch graph then runs on the
   * same feeds into the same buffers, and its loss, metrics and gradient norm must match the
   * split step's (they do when the loss is a mean over rows; a loss over pairs of rows, or a
   * sum, does not). Either way that first step's result is the whole-batch one. A split step
   * that fails (a worker gone) stops split steps for the shape; it is taken again whole on one
   * thread when this runner's buffers hold the current state, and rethrown when only the failed
   * workers held it (retaking it from older weights would silently drop steps).
   */
  private async splitStep(c: Compiled, feeds: Record<string, Ort.Tensor>, fetches: Record<string, Ort.Tensor | null>): Promise<StepOutputs> {
    const setup = await c.entry.split!;
    const whole = async () => outputsOf(c, await (await this.session(c, 1)).run(feeds, fetches as unknown as Ort.InferenceSession.FetchesType));
    let split: StepOutputs;
    const load = this.splitHolds !== setup;
    try {
      split = await runSplit(setup, c.step, feeds, load);
    } catch (e) {
      this.hold(undefined);
      this.releaseMode(c, 'split');
      this.noSplit(c, (e as Error).message.split('\n')[0]);
      if (!load) throw e;
      return whole();
    }
    this.hold(setup);
    if (c.entry.splitVerified) return split;
    // The whole step's results replace the split's: the workers reload.
    this.hold(undefined);
    const checked = await whole();
    const agree = close(split.loss, checked.loss) && close(split.gnorm, checked.gnorm) && c.step.metrics.every((m) => close(split.metrics[m], checked.metrics[m]));
    if (agree) c.entry.splitVerified = true;
    else this.noSplit(c, `the loss is not a mean over the batch's rows (halves: loss ${split.loss}, gradient norm ${split.gnorm}; whole batch: ${checked.loss}, ${checked.gnorm})`);
    return checked;
  }

  private hold(s: SplitSetup | undefined): void {
    if (this.splitHolds) this.splitHolds.held = false;
    this.splitHolds = s;
    if (s) s.held = true;
  }

  /** Fetches the weights and optimizer slots from the split workers after split steps (see {@link splitHolds}). */
  private reclaim(): void {
    const s = this.splitHolds;
    if (!s) return;
    this.hold(undefined);
    const position = new Map(this.trainable!.map((index, j) => [index, j]));
    storeState(
      s,
      (index) => this.weights[this.cur][position.get(index)!],
      (k, index) => this.slots[this.cur][k][position.get(index)!],
    );
  }

  /**
   * After a probe: frees the sessions (and the split workers) of the modes not chosen. Each holds
   * its own memory arena, and keeping every mode's made the image benchmark's peak RSS 1.87 GB
   * against 1.47 GB; the next probe, 2 minutes later, makes them again (a fraction of a second
   * for most models; the split's half graph is compiled once). The 1-thread session stays (it
   * checks split steps) unless split halves are chosen and checked ({@link releaseWhole}).
   */
  private releaseUnchosen(c: Compiled): void {
    const keep = c.threads.current;
    for (const key of [...c.sessions.keys()]) if (key !== '1' && key !== String(keep)) this.releaseMode(c, Number(key));
    if (keep !== 'split') this.releaseMode(c, 'split');
    else this.releaseWhole(c);
  }

  /**
   * Frees the whole-batch 1-thread session once split steps are chosen and checked: the split
   * workers hold their own sessions, and this one's arena (the size of a whole batch's
   * activations and gradients) would sit unused beside them. A fallback, a new probe or the
   * next fit makes it again.
   */
  private releaseWhole(c: Compiled): void {
    if (c.entry.splitVerified && c.sessions.has('1')) this.releaseMode(c, 1);
  }

  /** Frees one mode's sessions (the split workers for 'split'); the next step in it makes them again. */
  private releaseMode(c: Compiled, mode: StepMode): void {
    if (mode === 'split') {
      // Its workers may hold the only copy of the state.
      this.reclaim();
      dropSplit(c.entry);
      return;
    }
    const s = c.sessions.get(String(mode));
    c.sessions.delete(String(mode));
    void s?.then((x) => x.release()).catch(() => undefined);
  }

  private session(c: Compiled, threads: number): Promise<Ort.InferenceSession> {
    const key = String(threads);
    let s = c.sessions.get(key);
    if (!s) {
      s = createSession(this.ort, c.model, { intraOp: threads, spinning: false });
      c.sessions.set(key, s);
    }
    return s;
  }

  private async feeds(c: Compiled, batch: TensorBatch, ctx: StepContext): Promise<Record<string, Ort.Tensor>> {
    const ort = this.ort;
    const feeds: Record<string, Ort.Tensor> = {};
    for (const b of c.step.batch) {
      const t = batch[b.key];
      const key = `${b.name}:${t.size}`;
      const data = await readBatchTensor(t, this.batchBuffers.get(key));
      this.batchBuffers.set(key, data);
      feeds[b.name] = new ort.Tensor(t.dtype === 'bool' ? 'bool' : (t.dtype as 'float32' | 'int32'), data as Float32Array, t.shape);
    }
    for (const r of c.step.random) feeds[r.name] = new ort.Tensor('float32', drawRandom(r, ctx.seed), r.shape);
    const w = this.weights[this.cur];
    const s = this.slots[this.cur];
    this.trainable!.forEach((index, j) => {
      const shape = this.vars[index].shape;
      feeds[`w:${index}`] = new ort.Tensor('float32', w[j], shape);
      this.plan.slots.forEach((name, k) => (feeds[`s:${name}:${index}`] = new ort.Tensor('float32', s[k][j], shape)));
    });
    for (const i of c.step.frozen) feeds[`f:${i}`] = this.frozen.get(i)!;
    const lr = (this.optimizer as unknown as { learningRate: number }).learningRate;
    for (const [k, v] of Object.entries(scalarValues(this.plan, lr, this.iterations))) feeds[k] = new ort.Tensor('float32', Float32Array.of(v), []);
    return feeds;
  }

  /** The update's outputs: the other buffer set (`w:<i>:out`, `s:<slot>:<i>:out`). */
  private fetches(): Record<string, Ort.Tensor> {
    const ort = this.ort;
    const next = 1 - this.cur;
    const out: Record<string, Ort.Tensor> = {};
    this.trainable!.forEach((index, j) => {
      const shape = this.vars[index].shape;
      out[`w:${index}:out`] = new ort.Tensor('float32', this.weights[next][j], shape);
      this.plan.slots.forEach((name, k) => (out[`s:${name}:${index}:out`] = new ort.Tensor('float32', this.slots[next][k][j], shape)));
    });
    return out;
  }

  private async ortStep(batch: TensorBatch, ctx: StepContext, sig: string): Promise<StepResult> {
    let c = this.compiled.get(sig);
    if (!c) {
      if (this.compiled.size >= MAX_COMPILED_SHAPES) throw new NotLowerableError(`more than ${MAX_COMPILED_SHAPES} batch shapes in one fit`);
      c = await this.compile(batch, ctx, sig, this.compiled.size === 0);
    }
    // Other shapes run on one thread and are not timed: a probe of their few steps would
    // measure little, and each thread count is one more session in memory.
    // A fit too short to repay a probe (its blocks of slower modes, the sessions they make)
    // keeps the current choice (1 thread before any probe); a longer fit of the model probes,
    // after its first PROBE_AFTER steps.
    // Data of unknown size: the fit's length is known once its first epoch is done.
    const o = this.options;
    const expected = o.expectedSteps ?? (this.firstEpochSteps !== undefined && o.epochs !== undefined ? this.firstEpochSteps * o.epochs : undefined);
    const probe = expected !== undefined && expected >= MIN_PROBED_STEPS && this.fitSteps > PROBE_AFTER;
    let mode: StepMode = c.main ? c.threads.next(probe) : 1;
    // Split steps start once the whole-batch graph has passed its check against tfjs.
    if (mode === 'split' && (!c.verified || !(await this.splitReady(c, batch, ctx)))) mode = 1;
    if (mode !== 'split') this.reclaim();
    const feeds = await this.feeds(c, batch, ctx);
    const updates = this.fetches();
    const fetches = { loss: null, gnorm: null, ...Object.fromEntries(c.step.metrics.map((m) => [`m:${m}`, null])), ...updates };
    let res: StepOutputs;
    const t0 = performance.now();
    if (mode === 'split') {
      res = await this.splitStep(c, feeds, fetches);
    } else {
      let out: Ort.InferenceSession.OnnxValueMapType;
      try {
        const session = await this.session(c, mode);
        out = await session.run(feeds, fetches as unknown as Ort.InferenceSession.FetchesType);
      } catch (e) {
        if (c.verified) throw e;
        throw new NotLowerableError(`onnxruntime rejected the step graph: ${(e as Error).message.split('\n')[0]}`);
      }
      res = outputsOf(c, out);
    }
    // The chooser gets the time from the end of the previous step, not the run's own: what a
    // mode costs besides the run (a second thread waking while the next batch is collated, the
    // split's copies) counted too, and on the dense AE the runs alone had 2 threads 1.5x
    // faster while whole fits ran 0.5x (bench engine). The first step of a probe block spans
    // the switch of mode and is dropped.
    const end = performance.now();
    const ms = end - (this.lastStepEnd ?? t0);
    this.lastStepEnd = end;
    const { loss, metrics } = res;
    if (!c.verified) {
      const t = c.trace;
      const tfNorm = Math.sqrt(t.gradients.reduce((s, g) => s + g.reduce((a, v) => a + v * v, 0), 0));
      const gnorm = res.gnorm;
      if (!close(loss, t.lossValue) || !close(gnorm, tfNorm)) {
        throw new NotLowerableError(`the compiled step disagrees with tfjs on its first batch (loss ${loss} vs ${t.lossValue}, gradient norm ${gnorm} vs ${tfNorm})`);
      }
      c.verified = true;
      c.trace.gradients = []; // not needed any more
    }
    this.cur = 1 - this.cur;
    this.iterations++;
    this.dirty = true;
    // After the swap: freeing the split workers first fetches the state they hold into the current set.
    if (c.main) {
      if (probe && c.threads.record(mode, ms)) this.releaseUnchosen(c);
      // Between its probe blocks the 2-thread session goes, so a probe holds one mode besides
      // the 1-thread one at a time (each session has its own memory arena). The split workers
      // stay until the choice: starting two workers (onnxruntime loaded, sessions made) cost
      // more than the blocks they were timed in (conv AE, 'auto' in a 160-step fit: 0.94x).
      else if (mode !== 1 && mode !== 'split' && c.threads.next(probe) !== mode) this.releaseMode(c, mode);
      if (mode === 'split' && this.options.threads === 'split') this.releaseWhole(c);
    }
    return { loss, metrics };
  }

  /** The current state as tfjs would hold it (used by sync and by tests). */
  currentState(): OptimizerState {
    this.reclaim();
    return { iterations: this.iterations, slots: this.slots[this.cur] };
  }

  async sync(): Promise<void> {
    if (!this.dirty || !this.trainable) return;
    this.reclaim();
    const tv = this.trainable.map((i) => this.vars[i]);
    // The cpu and webgl backends may keep a reference to a typed array they are given, so they
    // get copies; wasm copies into its own heap at once, and copying first would only make
    // garbage (the sentence autoencoder's weights and moments are ~30 MB per sync).
    const own = tf.getBackend() === 'wasm' ? (a: Float32Array) => a : (a: Float32Array) => a.slice();
    tf.tidy(() => tv.forEach((v, j) => v.assign(tf.tensor(own(this.weights[this.cur][j]), v.shape, 'float32'))));
    await writeOptimizerState(this.optimizer, this.plan, tv, { iterations: this.iterations, slots: this.slots[this.cur].map((s) => s.map(own)) });
    this.dirty = false;
  }

  dispose(): void {
    // Sessions stay cached with the model for its next fit (step-cache.ts); so do the split
    // workers, until another model starts its own (`dropIdleSplits`).
    this.compiled.clear();
    this.fallback?.dispose();
  }
}
