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
 * Buffers: two sets, swapped each run (step-state.ts). Whole-batch steps run on the
 * multi-step graph (multi-step.ts) as loops of one; step.ts adds runs of several steps.
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
import { batchSignature, compileStepGraph, sameConstants, type CompiledStepGraph } from './compile.js';
import type { OptimizerPlan, OptimizerState } from './optimizer.js';
import { buildMultiStepModel, MAX_STEPS_PER_RUN } from './multi-step.js';
import { outputsOf, StepState } from './step-state.js';
import { createSession } from './runtime.js';
import { dropIdleSplits, dropSplit, modelCache, splitStarted, type CacheEntry } from './step-cache.js';
import { prepareSplit, runSplit, sameFrozen, splittable, storeState, type SplitSetup, type StepOutputs } from './split-step.js';
import { sessionThreads, ThreadChooser, type IntraMode, type StepMode } from './threads.js';
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

export interface Compiled extends CompiledStepGraph {
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

/**
 * Fits of fewer steps do not probe in 'auto'. A probe takes up to 43 steps (threads.ts), some in
 * slower modes, and starts the split workers: in 160-step fits of the engine benchmark it cost
 * the dense AE a third of its fit (0.62-0.69x of 1 thread) and the conv AE up to a quarter.
 */
export const MIN_PROBED_STEPS = 400;
/**
 * Nor do fits expected to train for less than this many milliseconds (their step count times
 * the pace of their first steps). A probe has costs that do not shrink with the step: the split
 * workers' start (onnxruntime loaded in each, sessions made: 0.3-0.5 s), the sessions of every
 * mode, blocks of modes slower than the one kept. In the engine benchmark's 480-step fits the
 * dense AE (1.8 s of training) probed, and its 'auto' fit ran 0.61x of 1 thread's; the conv AE's
 * (7-9 s) and the sequence AE's (30 s) repay theirs (split halves 1.5x and more).
 */
export const MIN_PROBED_MS = 5_000;

/**
 * The training time below which 'auto' does not probe ({@link MIN_PROBED_MS}). Tests lower it to
 * probe fits of tiny models (testing/probe-gate.ts).
 * @internal
 */
export const probeGate = { ms: MIN_PROBED_MS };
/**
 * Steps of a fit before 'auto' may probe: its first second is not the machine it will train on
 * (the previous model's workers and sessions being freed, a collection of its garbage, cold
 * code). A probe in it timed split steps of the image benchmark's deep-conv AE at 36.8 ms
 * instead of 21-25 and kept 1 thread, at 1,330-1,430 images/s instead of ~2,900, until the
 * next probe.
 */
const PROBE_AFTER = 12;

export function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= TOLERANCE * Math.max(Math.abs(a), Math.abs(b), 1e-3);
}

/**
 * Compiled training steps on onnxruntime-node, one step per call, with tfjs as the fallback;
 * {@link OrtStepRunner} (step.ts) adds runs of several steps.
 */
export abstract class OrtStepCore implements StepRunner {
  engine: TrainingEngine = 'onnxruntime';
  fallbackReason: string | undefined;
  protected fallback: TfjsStepRunner | undefined;
  protected readonly compiled = new Map<string, Compiled>();
  /** Shapes whose batches step on tfjs, with the reason (see the file comment). */
  protected readonly tfjsShapes = new Map<string, string>();
  private tfjsSteps: TfjsStepRunner | undefined;
  /** Batches of the epoch in progress (or just ended): all, and those stepped on tfjs. */
  private epochCount = { epoch: -1, all: 0, tfjs: 0, shapes: new Set<string>() };
  /** Weights, slots and counters between runs (step-state.ts). */
  protected readonly state: StepState;
  /**
   * The split setup whose workers hold the current weights and optimizer slots after split
   * steps (this runner's buffers lag until {@link reclaim}). Undefined after any other step.
   */
  private splitHolds: SplitSetup | undefined;
  /** Setups whose frozen weights this fit has checked against its own. */
  private readonly frozenChecked = new WeakSet<SplitSetup>();

  constructor(
    private readonly ort: typeof Ort,
    private readonly problem: TrainingProblem<unknown>,
    private readonly vars: tf.Variable[],
    protected readonly optimizer: tf.Optimizer,
    private readonly plan: OptimizerPlan,
    private readonly options: OrtStepOptions,
  ) {
    this.state = new StepState(ort, vars, optimizer, plan);
  }

  /** When the last compiled step ended (the thread choice times steps end to end). */
  private lastStepEnd: number | undefined;
  /** Batches of the fit's first epoch, once it is over. */
  private firstEpochSteps: number | undefined;
  /** Steps this fit has taken. */
  private fitSteps = 0;
  /** Whether this fit is long enough to probe, once known (see {@link probeAllowed}). */
  private probeVerdict: boolean | undefined;

  async step(batch: TensorBatch, ctx: StepContext): Promise<StepResult> {
    if (this.fallback) return this.fallback.step(batch, ctx);
    const n = this.countStep(ctx);
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

  /** Counts a step of the fit and of its epoch (the share on tfjs, the fit's length). */
  protected countStep(ctx: StepContext): typeof this.epochCount {
    const n = this.epochCount;
    if (n.epoch !== ctx.epoch) {
      if (n.epoch !== -1) this.firstEpochSteps ??= n.all;
      Object.assign(n, { epoch: ctx.epoch, all: 0, tfjs: 0, shapes: new Set() });
    }
    n.all++;
    this.fitSteps++;
    return n;
  }

  /**
   * One step on tfjs between compiled ones: tfjs gets the current weights and optimizer state,
   * steps, and hands both back, so Adam's moments and bias correction stay exact.
   */
  private async tfjsStep(batch: TensorBatch, ctx: StepContext): Promise<StepResult> {
    await this.sync();
    this.tfjsSteps ??= new TfjsStepRunner(this.problem, this.vars, this.optimizer, this.options.clipNorm);
    const result = await this.tfjsSteps.step(batch, ctx);
    await this.state.readFromTfjs();
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
    if (!this.state.trainable) await this.state.init(trainable);
    else if (trainable.join() !== this.state.trainable.join()) throw new NotLowerableError('a batch of another shape trains a different set of weights');
    this.state.addFrozen(c.step.frozen);
    const setting = String(this.options.threads);
    if (!entry.choosers.has(setting)) entry.choosers.set(setting, new ThreadChooser(this.options.threads, availableParallelism(), main && splittable(c.step), undefined, MAX_STEPS_PER_RUN));
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
      if (sameFrozen(earlier, this.state.frozen)) this.frozenChecked.add(earlier);
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
        frozen: this.state.frozen,
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
  private async splitStep(c: Compiled, batch: TensorBatch, ctx: StepContext): Promise<StepOutputs> {
    const setup = await c.entry.split!;
    const feeds = await this.state.feeds(c.step, batch, ctx);
    // The whole batch on 1 thread, on the multi-step session where there is one (a single-step
    // session made for this check held ~100 MB beside it in the image VAE's first fit).
    const whole = () => this.runWhole(c, batch, ctx, 1);
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
  protected reclaim(): void {
    const s = this.splitHolds;
    if (!s) return;
    this.hold(undefined);
    const st = this.state;
    const position = new Map(st.trainable!.map((index, j) => [index, j]));
    storeState(
      s,
      (index) => st.weights[st.cur][position.get(index)!],
      (k, index) => st.slots[st.cur][k][position.get(index)!],
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
    for (const key of [...c.sessions.keys()]) {
      // Keys: `<mode>` or `<mode>:loop` (see session, loopSession).
      const name = key.split(':')[0];
      const mode: StepMode = name === 'spin' ? 'spin' : Number(name);
      if (mode !== 1 && mode !== keep) this.releaseMode(c, mode);
    }
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
    if (c.entry.splitVerified) this.releaseMode(c, 1);
  }

  /** Frees one mode's sessions (the split workers for 'split'); the next step in it makes them again. */
  private releaseMode(c: Compiled, mode: StepMode): void {
    if (mode === 'split') {
      // Its workers may hold the only copy of the state.
      this.reclaim();
      dropSplit(c.entry);
      return;
    }
    this.releaseSession(c, String(mode));
    this.releaseSession(c, `${mode}:loop`);
  }

  protected releaseSession(c: Compiled, key: string): void {
    const s = c.sessions.get(key);
    c.sessions.delete(key);
    void s?.then((x) => x.release()).catch(() => undefined);
  }

  private session(c: Compiled, mode: IntraMode): Promise<Ort.InferenceSession> {
    const key = String(mode);
    let s = c.sessions.get(key);
    if (!s) {
      s = createSession(this.ort, c.model, sessionThreads(mode));
      c.sessions.set(key, s);
    }
    return s;
  }

  /** Whether 'auto' may probe now (see {@link ortStep}). */
  protected probeAllowed(): boolean {
    // A fit too short to repay a probe (its blocks of slower modes, the sessions they make)
    // keeps the current choice (1 thread before any probe); a longer fit of the model probes,
    // after its first PROBE_AFTER steps.
    // Data of unknown size: the fit's length is known once its first epoch is done.
    // Decided once per fit, at the pace of its first steps: the pace of a probe's blocks would
    // make a fit long enough at one step and too short at the next, and a probe cut off halfway.
    if (this.fitSteps <= PROBE_AFTER) return false;
    if (this.probeVerdict !== undefined) return this.probeVerdict;
    const o = this.options;
    const expected = o.expectedSteps ?? (this.firstEpochSteps !== undefined && o.epochs !== undefined ? this.firstEpochSteps * o.epochs : undefined);
    if (expected === undefined || this.msPerStep === undefined) return false;
    this.probeVerdict = expected >= MIN_PROBED_STEPS && expected * this.msPerStep >= probeGate.ms;
    return this.probeVerdict;
  }

  private async ortStep(batch: TensorBatch, ctx: StepContext, sig: string): Promise<StepResult> {
    let c = this.compiled.get(sig);
    if (!c) {
      if (this.compiled.size >= MAX_COMPILED_SHAPES) throw new NotLowerableError(`more than ${MAX_COMPILED_SHAPES} batch shapes in one fit`);
      c = await this.compile(batch, ctx, sig, this.compiled.size === 0);
    }
    // Other shapes run on one thread and are not timed: a probe of their few steps would
    // measure little, and each thread count is one more session in memory.
    const probe = this.probeAllowed();
    let mode: StepMode = c.main ? c.threads.next(probe) : 1;
    // Split steps start once the whole-batch graph has passed its check against tfjs.
    if (mode === 'split' && (!c.verified || !(await this.splitReady(c, batch, ctx)))) mode = 1;
    if (mode !== 'split') this.reclaim();
    let res: StepOutputs;
    const t0 = performance.now();
    if (mode === 'split') {
      res = await this.splitStep(c, batch, ctx);
    } else {
      res = await this.runWhole(c, batch, ctx, mode);
    }
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
    this.stepped(c, mode, probe, 1, t0);
    return { loss, metrics };
  }

  /**
   * One whole-batch step on `threads` intra-op threads, its updates written to the other buffer
   * set: a loop of one on the multi-step graph (the same numbers; one session per thread count,
   * not a single-step one beside it: both, in the first fit of the image VAE, took its peak RSS
   * from 844 to 953 MB), or the plain step graph once the loop graph has failed for the shape.
   */
  private async runWhole(c: Compiled, batch: TensorBatch, ctx: StepContext, mode: IntraMode): Promise<StepOutputs> {
    if (c.entry.loopFailed === undefined) {
      try {
        return (await this.state.runLoop(await this.loopSession(c, mode), c.step, [{ batch, ctx, rate: this.state.rate() }]))[0];
      } catch (e) {
        if (c.entry.loopVerified) throw e;
        this.loopRejected(c, mode, e);
      }
    }
    return this.runSingle(c, await this.state.feeds(c.step, batch, ctx), mode);
  }

  /** onnxruntime rejected a multi-step graph not yet checked: the shape's steps run singly from now on. */
  protected loopRejected(c: Compiled, mode: IntraMode, e: unknown): void {
    c.entry.loopFailed = `onnxruntime rejected the multi-step graph: ${(e as Error).message.split('\n')[0]}`;
    this.releaseSession(c, `${mode}:loop`);
  }

  /** One step on the single-step graph, its updates written to the other buffer set. */
  private async runSingle(c: Compiled, feeds: Record<string, Ort.Tensor>, mode: IntraMode): Promise<StepOutputs> {
    try {
      const session = await this.session(c, mode);
      return outputsOf(c.step, await session.run(feeds, this.state.fetches(c.step) as unknown as Ort.InferenceSession.FetchesType));
    } catch (e) {
      if (c.verified) throw e;
      throw new NotLowerableError(`onnxruntime rejected the step graph: ${(e as Error).message.split('\n')[0]}`);
    }
  }

  /**
   * After a compiled run of `steps` steps: the buffer sets swap, and the thread choice gets the
   * run's time. The chooser gets the time from the end of the previous run, not the run's own:
   * what a mode costs besides the run (a second thread waking while the next batch is collated,
   * the split's copies) counted too, and on the dense AE the runs alone had 2 threads 1.5x
   * faster while whole fits ran 0.5x (bench engine). The first step of a probe block spans the
   * switch of mode and is dropped.
   */
  protected stepped(c: Compiled, mode: StepMode, probe: boolean, steps: number, t0: number): void {
    const end = performance.now();
    const ms = end - (this.lastStepEnd ?? t0);
    this.lastStepEnd = end;
    if (c.main) this.msPerStep = ms / steps;
    this.state.swap(steps);
    // After the swap: freeing the split workers first fetches the state they hold into the current set.
    if (c.main) {
      // The split workers stay through the probe, until the choice: starting them (onnxruntime
      // loaded, sessions made) cost more than the blocks they were timed in (conv AE, 'auto' in a
      // 160-step fit: 0.94x).
      if (probe && c.threads.record(mode, ms, steps)) this.releaseUnchosen(c);
      if (mode === 'split' && this.options.threads === 'split') this.releaseWhole(c);
    }
  }

  /** Per-step time of the main shape's last run, for the steps per run. */
  protected msPerStep: number | undefined;

  protected loopSession(c: Compiled, mode: IntraMode): Promise<Ort.InferenceSession> {
    const key = `${mode}:loop`;
    let s = c.sessions.get(key);
    if (!s) {
      c.entry.loopModel ??= buildMultiStepModel(c.step);
      s = createSession(this.ort, c.entry.loopModel, sessionThreads(mode));
      c.sessions.set(key, s);
    }
    return s;
  }

  /** The current state as tfjs would hold it (used by sync and by tests). */
  currentState(): OptimizerState {
    this.reclaim();
    return this.state.optimizerState();
  }

  async sync(): Promise<void> {
    if (!this.state.dirty || !this.state.trainable) return;
    this.reclaim();
    await this.state.writeToTfjs();
  }

  dispose(): void {
    // Sessions stay cached with the model for its next fit (step-cache.ts); so do the split
    // workers, until another model starts its own (`dropIdleSplits`).
    this.compiled.clear();
    this.fallback?.dispose();
  }
}
