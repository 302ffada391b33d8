/**
 * @file `threads: 'auto'`: measure instead of guess. How a second core pays depends on the
 * machine more than on the model. On the 2-vCPU machine of the benchmarks (a Firecracker VM,
 * where waking a sleeping thread is expensive) a second intra-op thread made the sequence AE's
 * step 1.23x faster and the dense and conv AEs' 0.5-0.9x: their steps are ~100 small ops, each
 * ending in a wake-up of the other thread, and Adam's passes are bound by memory, not compute
 * (PyTorch's 2-thread runs lose there too). Splitting each batch in two halves whose gradients
 * two threads compute at once, with one hand-over per step (`'split'`, see split.ts), paid
 * where intra-op threads did not. Under load any second thread costs up to 0.5x.
 *
 * So the chooser times steps in each candidate mode (1 thread; split halves where the batch
 * allows them) in blocks alternating with 1 thread's, 1-split-1-split-1-split, drops the first step of each block
 * (a switch of sessions costs a cold cache), and keeps the fastest mode by median step time only when it is at least 15% faster
 * than 1 thread. Step times on a shared machine scatter by +-30%; single alternating steps with
 * 3 samples each had picked 2 threads on the dense AE at half the speed. Blocks keep a change
 * of load falling on every mode alike, and a wrong choice costs at most the steps until the
 * next probe, 2 minutes of training later, or 15 s after a close call or a model's first probe.
 *
 * 2 intra-op threads are not a candidate (`threads: 2` sets them); where split halves cannot run
 * (a loss that is not a mean over rows, an odd batch) 'auto' is 1 thread. Their probe blocks time
 * them faster than they train, at worst 4x: the FSDD speech model's probes in the audio
 * benchmark had them at 80 ms a step against 1 thread's 95-97, and its epochs on them took
 * 14-15 s (~340 ms a step) against ~4 s on 1 thread (3.5-3.9 s on 2 threads through the CLI, in
 * a small process). In long
 * fits (session 11, after the subnormal fix, multi-step.ts) the image VAE's probes had 2 threads
 * at 34.4 ms a step against 1 thread's 43.1 and split halves' 41.8, and its epochs on them ran
 * ~57 ms a step; a fixed 2-thread fit of it ran 48-54 ms, 1 thread 40-45, split halves 30-35.
 * The dense, conv and sequence AEs' long fits: 2 threads 0.75x / 0.75x / 1.41x of 1 thread,
 * split halves 0.83x / 1.45x / 1.79x. Suspected, not shown: V8's full collections in the main
 * isolate (driven by the binding's copies of every fetched output; every ~150 ms in a dense fit)
 * take the core the second intra-op thread needs, and a probe block ends before many come.
 * Split halves step in workers whose heaps are small. (Sessions 6-7 had left 2 threads out for
 * losing every probe; session 8 brought them back when runs of several steps made them win the
 * engine benchmark's short fits, whose rate was then overstated for intra-op settings.)
 *
 * `threads: 'spin'` (2 intra-op threads that spin-wait between ops, stopping at the end of each
 * run; runtime.ts) is a setting of its own, not one 'auto' times. Where a core is free the
 * wake-up a sleeping thread needs for every op is what a second thread lost: one step graph on
 * this machine ran 1.40x / 1.22x / 1.54x of 1 thread with spinning threads against 1.11x / 0.97x
 * / 1.44x with sleeping ones (dense / conv / sequence AE, `lab-graph.ts`, session 10), and the
 * engine benchmark's short fits 1.36x / 1.14x / 1.54x. But a long fit ran below what its probe
 * blocks timed: 'auto' timing it (session 10) chose it for the image benchmark's code-16 AE
 * (37.2 ms a step against split halves' 40.6), and that epoch ran 69 s against 32-37 for split
 * epochs. Any other runnable thread (V8's collector helpers, the trainer) takes the core a
 * spinning thread waits on; under outside load spinning is worse than sleeping (the dense AE
 * beside a busy process: 0.68x of 1 thread, sleeping 0.85x). So 'auto' does not time them.
 */

import type { SessionThreads } from './runtime.js';

/**
 * How a step uses the cores: intra-op threads of one session (a count, sleeping between ops,
 * or `'spin'`: 2 threads that spin-wait between ops), or two half-batch sessions (`'split'`).
 */
export type StepMode = number | 'split' | 'spin';

/** The intra-op modes: a session's thread settings. */
export type IntraMode = number | 'spin';

/** The session threads of an intra-op mode. */
export function sessionThreads(mode: IntraMode): SessionThreads {
  return mode === 'spin' ? { intraOp: 2, spinning: true } : { intraOp: mode, spinning: false };
}

/**
 * Steps per block of a probe (the first of each block is a warm-up and is dropped, the first
 * {@link FIRST_WARMUP} of a mode's first block), for split halves; blocks of intra-op modes
 * time as many steps as a run takes outside a probe (see the constructor's `runSteps`).
 */
const BLOCK = 4;
/** Blocks per mode in a probe. */
const ROUNDS = 3;
/**
 * Warm-up steps of a mode's first block in a probe (later blocks: 1). The first steps on split
 * halves after a 1-thread fit ran slow for 2-3 steps (the conv AE's: 12-28 ms against 7-9 ms
 * later, in 5 of 5 probes), and with one warm-up step they were 2 of the 3 timed steps of the
 * first block: one probe of 'auto' in the engine benchmark then timed split halves at 17.6 ms a
 * step against 1 thread's 13.0 and kept 1 thread (bench/conv-lowering/NOTES.md, session 12).
 */
const FIRST_WARMUP = 3;
/** How much faster than 1 thread another mode must be to be kept. */
const MIN_GAIN = 1.15;
/** Time between probes (a probe of a large graph costs a few slow steps). */
const REPROBE_MS = 120_000;
/**
 * Time to the next probe after a close call (another mode within 25% of the chosen one): a
 * probe then costs little, and one taken in a moment of other work (the previous model's
 * sessions being freed, a collection) had kept the image benchmark's deep-conv AE on 1 thread
 * for its whole 87-s fit at half the speed of split halves (probe: 38.7 against 36.8 ms).
 */
const REPROBE_CLOSE_MS = 15_000;
/** Within this factor of the chosen mode's time, another mode is a close call. */
const CLOSE = 1.25;
/**
 * The next probe waits at least this many times as long as the last one took, so probing takes
 * at most ~5% of training. A probe of the image benchmark's deep-conv AE (93 steps of 35-60 ms)
 * takes ~4.5 s, and its modes are close calls (split halves 35-40 ms a step, 2 spinning threads
 * 40-44): probing every 15 s, the MNIST benchmark ran 948 s against 783 with 48-step probes.
 * At most {@link REPROBE_MS}.
 */
const PROBE_SHARE = 20;
// A model's first probe is also checked again after REPROBE_CLOSE_MS, however clear: it falls at
// the start of its first fit (step PROBE_AFTER), the likeliest moment of other work in a
// process that trains model after model (the last model's garbage collected, a new dataset's
// heap). In one image benchmark the first probes of three models had split halves at 36.5-53.4
// ms against 1 thread's 37.5-42.3, and every later probe of the same run had them 1.4-1.7x
// faster (21.9-34.4 against 36.5-57.3 ms), as a small script's probe did (27.1 against 46.4).


/** A mode in words. */
export function modeLabel(mode: StepMode): string {
  if (mode === 'split') return 'split halves on 2 threads';
  if (mode === 'spin') return '2 spinning threads';
  return `${mode} thread${mode === 1 ? '' : 's'}`;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Picks the mode of each step. */
export class ThreadChooser {
  private chosen: StepMode = 1;
  private readonly candidates: StepMode[];
  /** Mode of each remaining probe step, and whether its time counts. */
  private probing: { mode: StepMode; counted: boolean }[] = [];
  private times = new Map<StepMode, number[]>();
  /** When the last probe ended; the first probe starts with the first step that may probe. */
  private steadySince = -Infinity;
  /** When the probe in progress started. */
  private probeStart = 0;
  /** A fixed mode that was excluded (its steps run on 1 thread). */
  private fixedOut = false;
  /** Median step milliseconds per mode at the last decision. */
  private measured = new Map<StepMode, number>();
  /** Time from the last probe to the next. */
  private reprobeMs = REPROBE_MS;
  /** Probes decided so far. */
  private decisions = 0;

  /**
   * @param setting a fixed mode, or 'auto'.
   * @param cores cores of the machine ('auto' stays on 1 thread with fewer than 2).
   * @param splittable whether 'auto' may try split halves (an even batch whose tensors all lead with it).
   * @param now the clock (tests give their own).
   * @param runSteps timed steps of a block of an intra-op mode (1 thread, 2 threads): the steps
   *   a run takes outside a probe (multi-step.ts). Timed in runs of 3, 1 thread had looked slower than
   *   it is in runs of 8: the dense AE's probe timed it at 5.61 ms a step and split halves at
   *   4.87, and chose split halves, which ran 0.67x of 1 thread's fits (3.5 ms a step).
   */
  constructor(
    private readonly setting: StepMode | 'auto',
    cores: number,
    splittable = false,
    private readonly now: () => number = () => performance.now(),
    private readonly runSteps = BLOCK - 1,
  ) {
    // Split halves or nothing: 2 intra-op threads are not timed (see the file comment).
    this.candidates = setting !== 'auto' ? [setting] : cores >= 2 && splittable ? [1, 'split'] : [1];
  }

  /**
   * The probe: for each other mode in turn (in 'auto', split halves only), ROUNDS rounds of a
   * 1-thread block and a block of that mode.
   */
  private startProbe(): void {
    this.probeStart = this.now();
    this.probing = [];
    for (const other of this.candidates.filter((m) => m !== 1)) {
      for (let r = 0; r < ROUNDS; r++) {
        for (const mode of [1, other]) {
          const warm = r === 0 ? FIRST_WARMUP : 1;
          const block = warm + (mode === 'split' ? BLOCK - 1 : this.runSteps);
          for (let i = 0; i < block; i++) this.probing.push({ mode, counted: i >= warm });
        }
      }
    }
    this.times = new Map(this.candidates.map((m) => [m, []]));
  }

  /** Whether the probe in progress has steps of `mode` left. */
  probes(mode: StepMode): boolean {
    return this.probing.some((p) => p.mode === mode);
  }

  /**
   * Mode of the next step. `probe: false` (a fit too short to repay a probe) keeps the current
   * choice and neither starts nor continues a probe; a later, longer fit does.
   */
  next(probe = true): StepMode {
    if (this.setting !== 'auto') return this.current;
    if (!probe) return this.chosen;
    if (this.probing.length) return this.probing[0].mode;
    if (this.candidates.length > 1 && this.now() - this.steadySince > this.reprobeMs) {
      this.startProbe();
      return this.probing[0].mode;
    }
    return this.chosen;
  }

  /**
   * How many steps in a row the next run may take (several steps per run, multi-step.ts): the
   * rest of the probe block's timed steps in one mode, 1 for a block's warm-up step, and no
   * limit outside a probe.
   */
  runLength(): number {
    const head = this.probing[0];
    if (this.setting !== 'auto' || !head) return Infinity;
    if (!head.counted) return 1;
    let n = 0;
    while (n < this.probing.length && this.probing[n].mode === head.mode && this.probing[n].counted) n++;
    return n;
  }

  /**
   * Reports how long `steps` steps in `mode`, taken in one run, took; true when that ended a
   * probe (a choice was made). Each counts as a step of `ms / steps`.
   */
  record(mode: StepMode, ms: number, steps = 1): boolean {
    if (this.setting !== 'auto' || !this.probing.length || this.probing[0].mode !== mode) return false;
    for (let i = 0; i < steps && this.probing.length && this.probing[0].mode === mode; i++) {
      const { counted } = this.probing.shift()!;
      if (counted) this.times.get(mode)!.push(ms / steps);
    }
    if (this.probing.length) return false;
    this.decide();
    return true;
  }

  /**
   * Takes a mode out (split halves whose loss is not a mean over rows): out of the running probe
   * and every later one; a fixed setting of that mode falls back to 1 thread.
   */
  exclude(mode: StepMode): void {
    if (mode === 1) return;
    const at = this.candidates.indexOf(mode);
    if (at >= 0) this.candidates.splice(at, 1);
    this.times.delete(mode);
    this.probing = this.probing.filter((p) => p.mode !== mode);
    if (this.chosen === mode) this.chosen = 1;
    if (this.setting === mode) this.fixedOut = true;
    if (this.setting === 'auto' && this.candidates.length > 1 && this.probing.length === 0 && this.times.size > 1) this.decide();
  }

  private decide(): void {
    this.measured = new Map([...this.times].filter(([, ts]) => ts.length > 0).map(([m, ts]) => [m, median(ts)]));
    const t1 = this.measured.get(1) ?? NaN;
    let best: StepMode = 1;
    let bestMs = t1;
    for (const [mode, t] of this.measured) if (mode !== 1 && t < bestMs) [best, bestMs] = [mode, t];
    this.chosen = best !== 1 && bestMs * MIN_GAIN < t1 ? best : 1;
    const chosenMs = this.measured.get(this.chosen) ?? NaN;
    const close = [...this.measured].some(([m, t]) => m !== this.chosen && t < chosenMs * CLOSE);
    this.decisions++;
    const base = close || this.decisions === 1 ? REPROBE_CLOSE_MS : REPROBE_MS;
    // Up to the usual 2 minutes (a probe that spanned a pause between fits looks long).
    this.reprobeMs = Math.max(base, Math.min(REPROBE_MS, PROBE_SHARE * (this.now() - this.probeStart)));
    this.steadySince = this.now();
  }

  /**
   * How steps use the cores, in words: e.g. `split halves on 2 threads (auto; median ms per
   * step: 1 thread 9.20, split halves on 2 threads 6.10, 2 threads 11.4)`; undefined while
   * 'auto' has not measured yet.
   */
  describe(): string | undefined {
    const mode = this.current;
    if (this.setting !== 'auto') return modeLabel(mode);
    if (this.measured.size === 0) {
      if (this.probing.length) return undefined;
      return `${modeLabel(mode)} (auto${this.candidates.length > 1 ? '; not measured: a fit too short to repay it' : ''})`;
    }
    const ms = [...this.measured].map(([m, t]) => `${modeLabel(m)} ${t.toPrecision(3)}`).join(', ');
    return `${modeLabel(mode)} (auto; median ms per step: ${ms})`;
  }

  /** The mode chosen by the last probe (or the fixed setting). */
  get current(): StepMode {
    if (this.setting !== 'auto') return this.fixedOut ? 1 : this.setting;
    return this.chosen;
  }
}
