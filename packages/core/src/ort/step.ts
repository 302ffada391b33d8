/**
 * @file The onnxruntime step runner: {@link OrtStepCore}'s compiled steps (step-core.ts), taken
 * several to one `InferenceSession.run` where that pays.
 *
 * Runs: whole-batch steps run on the multi-step graph (multi-step.ts), alone as loops of one.
 * Once a shape's first step has been checked, the trainer hands over several batches at a time
 * ({@link OrtStepRunner.group}) and steps on intra-op threads run several to a run, the first
 * such run checked against loops of one. Split steps stay one per run (their halves meet
 * between steps).
 */
import { setLearningRate, stepEach, type StepItem, type StepResult } from '../training/step-runner.js';
import { batchSignature } from './compile.js';
import { MAX_STEPS_PER_RUN, type MultiStepItem } from './multi-step.js';
import type { StepOutputs } from './split-step.js';
import { close, OrtStepCore, type Compiled } from './step-core.js';
import type { IntraMode } from './threads.js';

export { MAX_COMPILED_SHAPES, MIN_PROBED_STEPS, type OrtStepOptions } from './step-core.js';

/**
 * The time a run of several steps should take at most: a run's steps report progress together
 * and an abort waits for the run, so slow steps run fewer per run.
 */
const RUN_MS = 200;

/** Compiled training steps on onnxruntime-node, several to a run where they can, with tfjs as the fallback. */
export class OrtStepRunner extends OrtStepCore {
  /**
   * Batches the next call of {@link steps} should bring: several while the main shape runs on
   * intra-op threads with a checked step graph (as many as fit in {@link RUN_MS}, at most
   * {@link MAX_STEPS_PER_RUN}, and no more than the probe block in progress allows), else one.
   */
  group(): number {
    const limit = this.runLimit([...this.compiled.values()].find((c) => c.main), this.probeAllowed());
    if (limit === 0) return 1;
    const fit = this.msPerStep ? Math.floor(RUN_MS / this.msPerStep) : MAX_STEPS_PER_RUN;
    return Math.max(1, Math.min(limit, fit));
  }

  /**
   * How many steps of shape `c` one run may take now: 0 where its steps run singly (tfjs, an
   * unchecked or failed loop graph, split halves), else {@link MAX_STEPS_PER_RUN} or what the
   * probe block in progress has left.
   */
  private runLimit(c: Compiled | undefined, probe: boolean): number {
    if (this.fallback || !c?.verified || c.entry.loopFailed !== undefined) return 0;
    if (!c.main) return MAX_STEPS_PER_RUN;
    if (c.threads.next(probe) === 'split') return 0;
    return Math.min(MAX_STEPS_PER_RUN, c.threads.runLength());
  }

  async steps(items: StepItem[]): Promise<StepResult[]> {
    const out: StepResult[] = [];
    for (let i = 0; i < items.length; ) {
      const probe = this.probeAllowed();
      const n = this.loopable(items, i, probe);
      if (n > 1) {
        const c = this.compiled.get(batchSignature(items[i].batch))!;
        const mode = c.main ? (c.threads.next(probe) as IntraMode) : 1;
        const run = items.slice(i, i + n).map((it) => ({ batch: it.batch, ctx: it.ctx, rate: it.rate ?? this.state.rate() }));
        const res = await this.loopSteps(c, run, mode, probe);
        if (res) {
          out.push(...res);
          i += n;
          // The optimizer holds the rate of the last step taken, as after single steps.
          if (items[i - 1].rate !== undefined) setLearningRate(this.optimizer, items[i - 1].rate!);
          continue;
        }
      }
      out.push(...(await stepEach(this, this.optimizer, [items[i++]])));
    }
    return out;
  }

  /** How many of `items` from `i` on can run as one multi-step run (0 or 1: step them singly). */
  private loopable(items: StepItem[], i: number, probe: boolean): number {
    const sig = batchSignature(items[i].batch);
    if (this.tfjsShapes.has(sig)) return 0;
    const limit = this.runLimit(this.compiled.get(sig), probe);
    if (limit === 0) return 0;
    let n = 1;
    while (i + n < items.length && n < limit && batchSignature(items[i + n].batch) === sig) n++;
    return n;
  }

  /**
   * `items` (all of `c`'s shape) in one run of the multi-step graph. Its first run of several
   * steps for a model and shape is checked: two loops of one step each take the first two steps
   * from the same state, and their losses and gradient norms must match the loop's (a loop of
   * one is the step graph, checked against tfjs on the fit's first batch; several steps add
   * what a loop carries and gathers from one iteration to the next). A loop onnxruntime rejects
   * or that disagrees is not used again for the shape (undefined: the caller steps singly).
   */
  private async loopSteps(c: Compiled, items: MultiStepItem[], mode: IntraMode, probe: boolean): Promise<StepResult[] | undefined> {
    this.reclaim();
    const e = c.entry;
    const t0 = performance.now();
    let res: StepOutputs[];
    try {
      res = await this.state.runLoop(await this.loopSession(c, mode), c.step, items);
    } catch (err) {
      if (e.loopVerified) throw err;
      this.loopRejected(c, mode, err);
      return undefined;
    }
    if (!e.loopVerified) {
      const singles = await this.state.singlesFrom(await this.loopSession(c, mode), c.step, items.slice(0, 2));
      const agree = singles.every((r, j) => close(r.loss, res[j].loss) && close(r.gnorm, res[j].gnorm));
      if (!agree) {
        e.loopFailed = `the multi-step graph disagrees with single steps (losses ${res.slice(0, 2).map((r) => r.loss)} vs ${singles.map((r) => r.loss)})`;
        return undefined;
      }
      e.loopVerified = true;
      // Any single-step session left (made before this check) goes.
      for (const key of [...c.sessions.keys()]) if (!key.endsWith(':loop')) this.releaseSession(c, key);
    }
    for (const it of items) this.countStep(it.ctx);
    this.stepped(c, mode, probe, items.length, t0);
    return res.map(({ loss, metrics }) => ({ loss, metrics }));
  }

}
