/**
 * @file Progress and cancellation of batch-wise inference (`encode`, `decode`, `reconstruct`)
 * over many inputs, reported with the same {@link ProgressEvent}s `fit` emits, so one progress
 * renderer serves training and inference: a run over the inputs is one "epoch" of
 * `batches` batches, and `loss` is NaN (inference computes none).
 */
import { AbortError } from '../errors/errors.js';
import type { ProgressEvent } from '../training/types.js';

/** Options every model's `encode`/`decode`/`reconstruct` accepts. */
export interface BatchingOptions {
  /** Samples per forward pass. @default 256 (speech models: 32) */
  batchSize?: number;
  /**
   * Called with `start`, then `batch` events (at most every `progressIntervalMs`, and after the
   * last batch), then `end`: the events `fit` emits, for one pass over the inputs (`loss` is NaN).
   */
  onProgress?: (event: ProgressEvent) => void;
  /** Minimum milliseconds between `batch` events. @default 100 */
  progressIntervalMs?: number;
  /** Stops the run between batches with an {@link AbortError}. */
  signal?: AbortSignal;
  /**
   * `encode`: the named parts (`Latent.parts`) the caller wants; a model may skip computing the
   * others (a sentence model's word-space `meaning` costs a tenth of its encode). `[]` for none.
   * @default every part the model gives
   */
  parts?: readonly string[];
}

/**
 * Whether `encode` should compute part `name` under `options.parts`.
 * @example
 * ```ts
 * wantsPart({ parts: ['meaning'] }, 'global'); // false
 * ```
 */
export function wantsPart(options: Pick<BatchingOptions, 'parts'>, name: string): boolean {
  return options.parts === undefined || options.parts.includes(name);
}

/**
 * Tracks one inference run over `total` inputs in batches, emitting progress events and
 * throwing {@link AbortError} between batches once `signal` aborts.
 * @internal models call it from their batch loops.
 * @example
 * ```ts
 * const p = new BatchProgress('Encoding', inputs.length, Math.ceil(inputs.length / bs), options);
 * for (...) { p.check(); ...one batch...; p.done(chunk.length); }
 * p.end();
 * ```
 */
export class BatchProgress {
  private readonly t0 = performance.now();
  private lastEmit = -Infinity;
  private seen = 0;
  private batch = 0;

  /**
   * @param what the operation, for the abort message (`Encoding`).
   * @param total inputs in the run.
   * @param batches batches the run takes.
   * @param options `onProgress`, `progressIntervalMs`, `signal`.
   * @throws {AbortError} when `signal` has already aborted.
   */
  constructor(
    private readonly what: string,
    private readonly total: number,
    private readonly batches: number,
    private readonly options: BatchingOptions,
  ) {
    this.check();
    options.onProgress?.({ type: 'start', epochs: 1, batchesPerEpoch: batches, startEpoch: 0 });
  }

  /** @throws {AbortError} once the signal has aborted. */
  check(): void {
    if (this.options.signal?.aborted) {
      throw new AbortError(`${this.what} aborted after ${this.seen} of ${this.total} inputs.`, { cause: this.options.signal.reason });
    }
  }

  /** Records a finished batch of `n` inputs, emits a `batch` event when due, then checks the signal. */
  done(n: number): void {
    this.seen += n;
    this.batch++;
    const now = performance.now();
    if (this.options.onProgress && (now - this.lastEmit >= (this.options.progressIntervalMs ?? 100) || this.batch === this.batches)) {
      this.lastEmit = now;
      const elapsed = Math.max((now - this.t0) / 1000, 1e-9);
      const rate = this.seen / elapsed;
      this.options.onProgress({
        type: 'batch',
        epoch: 1,
        epochs: 1,
        batch: this.batch,
        batches: this.batches,
        loss: NaN,
        samplesPerSecond: rate,
        etaSeconds: (this.total - this.seen) / Math.max(rate, 1e-9),
      });
    }
    if (this.batch < this.batches) this.check();
  }

  /** Emits `end`. */
  end(): void {
    this.options.onProgress?.({ type: 'end', epochs: 1, seconds: (performance.now() - this.t0) / 1000 });
  }
}
