/**
 * @file `threads: 'auto'`: measure instead of guess. A second intra-op thread paid 1.2-1.33x
 * on a quiet 2-core machine and cost 0.5x with spinning workers under load, and the load of a
 * shared machine changes during a run. So the chooser times a few steps on 1 thread, a few on
 * 2 (workers that sleep instead of spin), keeps 2 only when it is at least 10% faster, and
 * measures again every 2 minutes of training.
 */

/** Steps timed per setting in a probe (the first of each is a warm-up and is dropped). */
const PROBE_STEPS = 4;
/** How much faster 2 threads must be to be kept. */
const MIN_GAIN = 1.1;
/** Time between probes (a probe of a large graph costs a few slow steps). */
const REPROBE_MS = 120_000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Picks the intra-op thread count of each step. */
export class ThreadChooser {
  private chosen = 1;
  private probing: number[] = [];
  private times = new Map<number, number[]>();
  private steadySince = 0;

  constructor(
    private readonly setting: number | 'auto',
    private readonly cores: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (setting === 'auto' && cores >= 2) this.startProbe();
  }

  private startProbe(): void {
    // Interleaved: both sessions exist and are warm after two steps (memory settles in the
    // first epoch, not when the 2-thread session appears mid-run), and a change of load during
    // the probe falls on both settings alike.
    this.probing = Array.from({ length: 2 * PROBE_STEPS }, (_, i) => 1 + (i % 2));
    this.times = new Map([
      [1, []],
      [2, []],
    ]);
  }

  /** Threads of the next step. */
  next(): number {
    if (this.setting !== 'auto') return this.setting;
    if (this.probing.length) return this.probing[0];
    if (this.cores >= 2 && this.now() - this.steadySince > REPROBE_MS) {
      this.startProbe();
      return this.probing[0];
    }
    return this.chosen;
  }

  /** Reports how long a step on `threads` took; true when that ended a probe (a choice was made). */
  record(threads: number, ms: number): boolean {
    if (this.setting !== 'auto' || !this.probing.length || this.probing[0] !== threads) return false;
    this.probing.shift();
    this.times.get(threads)!.push(ms);
    if (this.probing.length) return false;
    const t1 = median(this.times.get(1)!.slice(1));
    const t2 = median(this.times.get(2)!.slice(1));
    this.chosen = t2 * MIN_GAIN < t1 ? 2 : 1;
    this.steadySince = this.now();
    return true;
  }

  /** The thread count chosen by the last probe (or the fixed setting). */
  get current(): number {
    return this.setting === 'auto' ? this.chosen : this.setting;
  }
}
