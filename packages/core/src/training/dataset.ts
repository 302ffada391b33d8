/**
 * @file Where training samples come from: an in-memory array (shuffled per epoch with a
 * seed) or a factory of async batches, so data larger than memory can train.
 */
import { InvalidArgumentError } from '../errors/errors.js';
import { shuffledIndices } from '../math/random.js';

/** Options a dataset receives for one pass. */
export interface BatchOptions {
  batchSize: number;
  shuffle: boolean;
  seed: number;
  /** 0-based epoch, so the shuffle of epoch k is the same after a resume. */
  epoch: number;
}

/** A source of sample batches that can be iterated once per epoch. */
export interface Dataset<T> {
  /** Number of samples, when known (lets progress show an ETA). */
  readonly size: number | undefined;
  batches(options: BatchOptions): AsyncIterable<T[]>;
}

/** An in-memory dataset. */
export class ArrayDataset<T> implements Dataset<T> {
  constructor(readonly items: readonly T[]) {}
  get size(): number {
    return this.items.length;
  }
  async *batches({ batchSize, shuffle, seed, epoch }: BatchOptions): AsyncIterable<T[]> {
    const order = shuffle ? shuffledIndices(this.items.length, seed * 1_000_003 + epoch) : null;
    for (let start = 0; start < this.items.length; start += batchSize) {
      const end = Math.min(start + batchSize, this.items.length);
      const batch: T[] = new Array(end - start);
      for (let i = start; i < end; i++) batch[i - start] = this.items[order ? order[i] : i];
      yield batch;
    }
  }
  /** Splits off the last `fraction` of a seeded shuffle as a validation set. */
  split(fraction: number, seed = 42): [ArrayDataset<T>, ArrayDataset<T>] {
    if (!(fraction > 0 && fraction < 1)) {
      throw new InvalidArgumentError(`validationSplit must be in (0, 1), got ${fraction}.`);
    }
    const order = shuffledIndices(this.items.length, seed);
    const nVal = Math.max(1, Math.round(this.items.length * fraction));
    const train = order.slice(0, order.length - nVal).map((i) => this.items[i]);
    const val = order.slice(order.length - nVal).map((i) => this.items[i]);
    return [new ArrayDataset(train), new ArrayDataset(val)];
  }
}

/**
 * A dataset whose batches come from a function called once per epoch: stream from disk,
 * generate on the fly, or read a file larger than memory. Batch size and shuffling are the
 * factory's business; it receives the options to honour them if it can.
 * @example
 * ```ts
 * const data = fromBatches(async function* ({ epoch }) { for await (const b of readChunks()) yield b; });
 * await model.fit(data, { epochs: 3 });
 * ```
 */
export function fromBatches<T>(
  factory: (options: BatchOptions) => AsyncIterable<T[]> | Iterable<T[]>,
  size?: number,
): Dataset<T> {
  return {
    size,
    async *batches(options) {
      yield* factory(options) as AsyncIterable<T[]>;
    },
  };
}

/** Accepts a dataset or a plain array. */
export function asDataset<T>(data: Dataset<T> | readonly T[]): Dataset<T> {
  if (Array.isArray(data)) return new ArrayDataset(data as readonly T[]);
  const d = data as Dataset<T>;
  if (typeof d.batches !== 'function') {
    throw new InvalidArgumentError('Training data must be an array or a Dataset with a batches() method.');
  }
  return d;
}
