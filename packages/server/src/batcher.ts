/**
 * @file Micro-batching: requests for one model and operation wait in one queue, and each
 * forward pass takes up to `maxBatchRows` rows from its head, so many small concurrent requests
 * cost about what one batch call costs in-process. The queue is bounded (a full queue refuses at
 * once instead of growing without end), a request that times out or is cancelled leaves the
 * queue, and a failing batch is retried request by request, so one bad request cannot fail the
 * others that happened to share its batch.
 */
import { LatentkitError } from '@latentkit/core';

/** Options of {@link MicroBatcher}. */
export interface MicroBatcherOptions {
  /** Most rows one batch holds (a larger request is split over several). @default 64 */
  maxBatchRows?: number;
  /**
   * How long the first row of an idle queue waits for company before its batch runs (ms). Rows
   * that arrive while a batch runs are gathered anyway; this only helps when the queue was idle.
   * @default 2
   */
  maxWaitMs?: number;
  /** Most rows waiting (not yet in a running batch); past it {@link submit} throws {@link QueueFullError}. @default 1024 */
  maxQueuedRows?: number;
  /** Called after each batch with its row count and seconds (for metrics). */
  onBatch?(rows: number, seconds: number): void;
}

/** The queue of a model is full: the server answers 429 and the client retries later. */
export class QueueFullError extends LatentkitError {
  override readonly code: string = 'LK_QUEUE_FULL';
}

interface Entry<T, R> {
  items: readonly T[];
  /** Rows taken into batches so far. */
  taken: number;
  /** Rows whose results came back. */
  done: number;
  results: R[];
  resolve(results: R[]): void;
  reject(error: unknown): void;
  settled: boolean;
  /** Size of the largest batch this entry ran in (reported to the client). */
  batchRows: number;
  signal?: AbortSignal;
  onAbort?: () => void;
}

/** A request's results and the size of the batch it ran in. */
export interface BatchedResult<R> {
  results: R[];
  /** Rows of the largest batch the request's rows ran in. */
  batchRows: number;
}

/**
 * Gathers rows of concurrent requests into batches for one `run` function, one batch at a time.
 * @typeParam T one row (an input sample, a code).
 * @typeParam R its result (a latent, an output).
 * @example
 * ```ts
 * const batcher = new MicroBatcher((rows: string[]) => model.encode(rows), { maxBatchRows: 64 });
 * const { results } = await batcher.submit(['a sentence']);
 * ```
 */
export class MicroBatcher<T, R> {
  private readonly queue: Entry<T, R>[] = [];
  private queuedRows = 0;
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private idle: (() => void)[] = [];
  readonly maxBatchRows: number;
  readonly maxWaitMs: number;
  readonly maxQueuedRows: number;

  /**
   * @param run computes the results of one batch of rows, in order (one result per row). It
   *   must give each row the result it would get alone (the server's tests check this).
   * @param options batch size, wait and queue bounds.
   */
  constructor(
    private readonly run: (rows: T[]) => Promise<R[]>,
    private readonly options: MicroBatcherOptions = {},
  ) {
    this.maxBatchRows = options.maxBatchRows ?? 64;
    this.maxWaitMs = options.maxWaitMs ?? 2;
    this.maxQueuedRows = options.maxQueuedRows ?? 1024;
    for (const [name, v] of [['maxBatchRows', this.maxBatchRows], ['maxQueuedRows', this.maxQueuedRows]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`MicroBatcher ${name} must be a positive integer, got ${v}.`);
    }
    if (!(this.maxWaitMs >= 0)) throw new RangeError(`MicroBatcher maxWaitMs must be >= 0, got ${this.maxWaitMs}.`);
  }

  /** Rows waiting for a batch. */
  get pendingRows(): number {
    return this.queuedRows;
  }

  /**
   * Queues one request's rows and resolves with their results, in order.
   * @param items the request's rows (at least one).
   * @param signal aborting it removes rows not yet in a batch and rejects with the signal's reason.
   * @throws {QueueFullError} (synchronously, as a rejected promise) when the rows would pass `maxQueuedRows`.
   */
  submit(items: readonly T[], signal?: AbortSignal): Promise<BatchedResult<R>> {
    if (items.length === 0) return Promise.resolve({ results: [], batchRows: 0 });
    if (signal?.aborted) return Promise.reject(signal.reason);
    // A request larger than the whole queue could never be accepted; let it in when the queue is empty.
    if (this.queuedRows > 0 && this.queuedRows + items.length > this.maxQueuedRows) {
      return Promise.reject(new QueueFullError(`The queue holds ${this.queuedRows} rows; ${items.length} more would pass its bound of ${this.maxQueuedRows}.`, { hint: 'Retry shortly, or send fewer rows at once.' }));
    }
    return new Promise<BatchedResult<R>>((resolve, reject) => {
      const entry: Entry<T, R> = {
        items,
        taken: 0,
        done: 0,
        results: new Array<R>(items.length),
        resolve: (results) => resolve({ results, batchRows: entry.batchRows }),
        reject,
        settled: false,
        batchRows: 0,
        signal,
      };
      if (signal) {
        entry.onAbort = () => this.cancel(entry, signal.reason);
        signal.addEventListener('abort', entry.onAbort, { once: true });
      }
      this.queue.push(entry);
      this.queuedRows += items.length;
      this.schedule();
    });
  }

  /** Resolves once no row is queued or running. */
  whenIdle(): Promise<void> {
    if (!this.running && this.queue.length === 0) return Promise.resolve();
    return new Promise((res) => this.idle.push(res));
  }

  private settle(entry: Entry<T, R>, error?: unknown): void {
    if (entry.settled) return;
    entry.settled = true;
    if (entry.signal && entry.onAbort) entry.signal.removeEventListener('abort', entry.onAbort);
    if (error !== undefined) entry.reject(error);
    else entry.resolve(entry.results);
  }

  /** Settles an entry with an error, removing any of its rows still queued. */
  private cancel(entry: Entry<T, R>, reason: unknown): void {
    const i = this.queue.indexOf(entry);
    if (i >= 0) {
      this.queuedRows -= entry.items.length - entry.taken;
      this.queue.splice(i, 1);
    }
    // Rows already in a running batch finish there; their results are dropped.
    this.settle(entry, reason);
  }

  private schedule(): void {
    if (this.running || this.timer || this.queue.length === 0) return;
    if (this.queuedRows >= this.maxBatchRows || this.maxWaitMs === 0) {
      void this.next();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.next();
    }, this.maxWaitMs);
  }

  /** Takes up to `maxBatchRows` rows from the head of the queue. */
  private take(): { entry: Entry<T, R>; from: number; count: number }[] {
    const slices: { entry: Entry<T, R>; from: number; count: number }[] = [];
    let room = this.maxBatchRows;
    while (room > 0 && this.queue.length > 0) {
      const entry = this.queue[0];
      const count = Math.min(room, entry.items.length - entry.taken);
      slices.push({ entry, from: entry.taken, count });
      entry.taken += count;
      this.queuedRows -= count;
      room -= count;
      if (entry.taken === entry.items.length) this.queue.shift();
    }
    return slices;
  }

  private async next(): Promise<void> {
    if (this.running) return;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.running = true;
    try {
      while (this.queue.length > 0) {
        const slices = this.take();
        const rows = slices.reduce((s, x) => s + x.count, 0);
        for (const s of slices) s.entry.batchRows = Math.max(s.entry.batchRows, rows);
        try {
          await this.runSlices(slices);
        } catch (e) {
          // A batch of several requests failed: run each alone, so the error reaches only the
          // request that caused it (a code of the wrong size, say) and the others still succeed.
          if (slices.length === 1) this.cancel(slices[0].entry, e);
          else for (const s of slices) await this.runSlices([s]).catch((err: unknown) => this.cancel(s.entry, err));
        }
        // Let I/O (new requests, responses) through between batches.
        await new Promise<void>((r) => setImmediate(r));
      }
    } finally {
      this.running = false;
      if (this.queue.length === 0) for (const f of this.idle.splice(0)) f();
      else this.schedule();
    }
  }

  private async runSlices(slices: { entry: Entry<T, R>; from: number; count: number }[]): Promise<void> {
    const live = slices.filter((s) => !s.entry.settled);
    if (live.length === 0) return;
    const input = live.flatMap((s) => s.entry.items.slice(s.from, s.from + s.count));
    const t0 = performance.now();
    const out = await this.run(input);
    if (out.length !== input.length) throw new Error(`A batch of ${input.length} rows gave ${out.length} results.`);
    this.options.onBatch?.(input.length, (performance.now() - t0) / 1000);
    let at = 0;
    for (const s of live) {
      for (let i = 0; i < s.count; i++) s.entry.results[s.from + i] = out[at + i];
      at += s.count;
      s.entry.done += s.count;
      if (s.entry.done === s.entry.items.length) this.settle(s.entry);
    }
  }
}
