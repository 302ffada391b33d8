/**
 * @file Named demo stages with time budgets: each stage is announced, timed, and listed at the
 * end with its budget, so a slow machine shows where the time went. Training inside a stage
 * is capped by its own time limit (fit's timeLimitMs); the rest of a stage is small fixed work.
 */
import { formatSeconds } from '../lib/progress.js';

/** How one stage went. */
export interface StageRecord {
  name: string;
  /** Planned seconds (training budgets plus an allowance for the fixed work). */
  budget: number;
  seconds: number;
  status: 'ok' | 'skipped' | 'failed';
  /** Why it was skipped or how it failed. */
  note?: string;
}

/** Runs stages in order and keeps their records. */
export class StageRunner {
  readonly records: StageRecord[] = [];
  private readonly t0 = performance.now();

  constructor(private readonly log: (message: string) => void) {}

  /**
   * Runs one stage. A failure is recorded and rethrown: the demo must not hide a broken part.
   * @param name stage name, e.g. `image: conv autoencoder`.
   * @param budget planned seconds.
   * @param fn the work.
   * @returns what `fn` returns.
   */
  async run<T>(name: string, budget: number, fn: () => Promise<T>): Promise<T> {
    const index = this.records.length + 1;
    this.log(`[${index}] ${name} (budget ${formatSeconds(budget)})`);
    const t = performance.now();
    try {
      const out = await fn();
      this.records.push({ name, budget, seconds: (performance.now() - t) / 1000, status: 'ok' });
      return out;
    } catch (e) {
      this.records.push({ name, budget, seconds: (performance.now() - t) / 1000, status: 'failed', note: e instanceof Error ? e.message : String(e) });
      throw e;
    }
  }

  /** Records a stage that did not run. */
  skip(name: string, note: string): void {
    this.records.push({ name, budget: 0, seconds: 0, status: 'skipped', note });
    this.log(`[-] ${name}: skipped (${note})`);
  }

  /** Seconds since the runner was made. */
  elapsed(): number {
    return (performance.now() - this.t0) / 1000;
  }

  /** The stage list as aligned text lines. */
  table(): string {
    const w = Math.max(5, ...this.records.map((r) => r.name.length));
    const lines = [`${'stage'.padEnd(w)}  ${'time'.padStart(7)}  ${'budget'.padStart(7)}`];
    for (const r of this.records) {
      const status = r.status === 'ok' ? '' : `  ${r.status}${r.note ? `: ${r.note}` : ''}`;
      lines.push(`${r.name.padEnd(w)}  ${formatSeconds(r.seconds).padStart(7)}  ${formatSeconds(r.budget).padStart(7)}${status}`);
    }
    lines.push(`${'total'.padEnd(w)}  ${formatSeconds(this.elapsed()).padStart(7)}  ${formatSeconds(this.records.reduce((s, r) => s + r.budget, 0)).padStart(7)}`);
    return lines.join('\n');
  }
}
