/**
 * @file `threads: 'auto'`: measure instead of guess. A second intra-op thread helps some step
 * graphs and hurts others, and which depends on the machine more than on the model: on the
 * 2-vCPU machine of the benchmarks the sequence AE's step ran 1.23x faster on 2 threads while
 * the dense and conv AEs' ran 0.5-0.7x (PyTorch's 2-thread runs lose there too: many small ops,
 * each ending in a wake-up of the other thread), and under load 2 threads cost 0.5x everywhere.
 *
 * So the chooser times steps on 1 and on 2 threads (workers that sleep instead of spin) in
 * blocks, 1-2-1-2-..., drops the first step of each block (the switch of sessions costs a
 * cold cache), and keeps 2 only when the median 2-thread step is at least 15% faster than the
 * median 1-thread one. Step times on a shared machine scatter by +-30%; single alternating
 * steps with 3 samples each picked 2 threads on the dense AE, at half the speed (bench engine,
 * session 3). Blocks keep a change of load falling on both settings alike, and a wrong
 * choice costs at most the steps until the next probe, 2 minutes of training later.
 */

/** Steps per block of a probe (the first of each block is a warm-up and is dropped). */
const BLOCK = 4;
/** Blocks per setting in a probe. */
const ROUNDS = 3;
/** How much faster 2 threads must be to be kept. */
const MIN_GAIN = 1.15;
/** Time between probes (a probe of a large graph costs a few slow steps). */
const REPROBE_MS = 120_000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Picks the intra-op thread count of each step. */
export class ThreadChooser {
  private chosen = 1;
  /** Thread count of each remaining probe step, and whether its time counts. */
  private probing: { threads: number; counted: boolean }[] = [];
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
    this.probing = [];
    for (let r = 0; r < ROUNDS; r++) {
      for (const threads of [1, 2]) for (let i = 0; i < BLOCK; i++) this.probing.push({ threads, counted: i > 0 });
    }
    this.times = new Map([
      [1, []],
      [2, []],
    ]);
  }

  /** Threads of the next step. */
  next(): number {
    if (this.setting !== 'auto') return this.setting;
    if (this.probing.length) return this.probing[0].threads;
    if (this.cores >= 2 && this.now() - this.steadySince > REPROBE_MS) {
      this.startProbe();
      return this.probing[0].threads;
    }
    return this.chosen;
  }

  /** Reports how long a step on `threads` took; true when that ended a probe (a choice was made). */
  record(threads: number, ms: number): boolean {
    if (this.setting !== 'auto' || !this.probing.length || this.probing[0].threads !== threads) return false;
    const { counted } = this.probing.shift()!;
    if (counted) this.times.get(threads)!.push(ms);
    if (this.probing.length) return false;
    const t1 = median(this.times.get(1)!);
    const t2 = median(this.times.get(2)!);
    this.chosen = t2 * MIN_GAIN < t1 ? 2 : 1;
    this.steadySince = this.now();
    return true;
  }

  /** The thread count chosen by the last probe (or the fixed setting). */
  get current(): number {
    return this.setting === 'auto' ? this.chosen : this.setting;
  }
}
