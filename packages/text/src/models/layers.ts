/**
 * @file The custom layers of the sentence autoencoder, for what tfjs has no built-in layer:
 * a learned position embedding, a slice of the last axis, hashed character contexts and a
 * hashed bag of words. All are registered under latentkit-unique class names so saved folders
 * load in plain tfjs after registration.
 */
import { tf } from '@latentkit/core';

/** Constructor arguments of {@link LkPositionEmbedding}. */
export interface PositionEmbeddingArgs {
  name?: string;
  /** Seed of the initialiser. @default 1 */
  seed?: number;
  /** Standard deviation of the initial table. @default 0.02 */
  stddev?: number;
}

/**
 * Adds a trainable `[length, channels]` table to its `[batch, length, channels]` input.
 * @example
 * ```ts
 * registerTextLayers();
 * const y = new LkPositionEmbedding({ name: 'dec_pos', seed: 3 }).apply(x);
 * ```
 */
export class LkPositionEmbedding extends tf.layers.Layer {
  static className = 'LkPositionEmbedding';
  private readonly seed: number;
  private readonly stddev: number;
  private table: tf.LayerVariable | undefined;

  constructor(args: PositionEmbeddingArgs = {}) {
    super(args.name !== undefined ? { name: args.name } : {});
    this.seed = args.seed ?? 1;
    this.stddev = args.stddev ?? 0.02;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const [, length, channels] = shape;
    if (typeof length !== 'number' || typeof channels !== 'number') {
      throw new Error(`LkPositionEmbedding needs a fixed [length, channels] input, got [${shape.join(', ')}].`);
    }
    this.table = this.addWeight('table', [length, channels], 'float32', tf.initializers.randomNormal({ mean: 0, stddev: this.stddev, seed: this.seed }));
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      return tf.add(x, this.table!.read());
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), seed: this.seed, stddev: this.stddev };
  }
}

/** Constructor arguments of {@link LkSliceLast}. */
export interface SliceLastArgs {
  name?: string;
  /** First index kept on the last axis. */
  begin: number;
  /** Number of entries kept. */
  size: number;
}

/**
 * Keeps `size` entries of the last axis starting at `begin` (splits a code into its parts).
 * @example
 * ```ts
 * const head = new LkSliceLast({ begin: 0, size: 64 }).apply(code);
 * ```
 */
export class LkSliceLast extends tf.layers.Layer {
  static className = 'LkSliceLast';
  private readonly begin: number;
  private readonly size: number;

  constructor(args: SliceLastArgs) {
    super(args.name !== undefined ? { name: args.name } : {});
    this.begin = args.begin;
    this.size = args.size;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [...shape.slice(0, -1), this.size];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const begin = x.shape.map((_, i) => (i === x.rank - 1 ? this.begin : 0));
      const size = x.shape.map((_, i) => (i === x.rank - 1 ? this.size : -1));
      return tf.slice(x, begin, size);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), begin: this.begin, size: this.size };
  }
}

/** Constructor arguments of {@link LkHoleHash}. */
export interface HoleHashArgs {
  name?: string;
  /** Characters taken on each side of the position (the position itself is left out). */
  radius: number;
  /** Number of hash buckets (a prime spreads keys best). */
  buckets: number;
  /** Number of distinct ids (the vocabulary size): the base of the polynomial hash. */
  base: number;
  /**
   * Ids that end a word (the space). When given, the window stops at the nearest boundary on
   * each side (everything past it reads as padding), so the key is "this word with this
   * position left out": a lexicon entry with a hole.
   */
  boundaries?: number[];
}

/**
 * Maps each position of an id sequence to a hash bucket of its surroundings with the position
 * itself left out: the `radius` ids before and the `radius` ids after (padding beyond the
 * ends). Because the key never contains the character it sits on, a gap and the character
 * that belongs there share one key, so an embedding of the key learns, from every position of
 * every training sentence, which characters fit between those neighbours.
 * Computed in int32 with a reduction after every step (values stay below `buckets * base`).
 * @example
 * ```ts
 * const keys = new LkHoleHash({ radius: 2, buckets: 32749, base: 97 }).apply(ids);
 * ```
 */
export class LkHoleHash extends tf.layers.Layer {
  static className = 'LkHoleHash';
  private readonly radius: number;
  private readonly buckets: number;
  private readonly base: number;
  private readonly boundaries: number[];

  constructor(args: HoleHashArgs) {
    super(args.name !== undefined ? { name: args.name, trainable: false } : { trainable: false });
    if (!(Number.isInteger(args.radius) && args.radius >= 1 && Number.isInteger(args.buckets) && args.buckets >= 2 && Number.isInteger(args.base) && args.base >= 2)) {
      throw new Error(`LkHoleHash needs integer radius >= 1, buckets >= 2 and base >= 2, got ${JSON.stringify(args)}.`);
    }
    if ((args.buckets + 1) * args.base >= 2 ** 31) throw new Error(`LkHoleHash: buckets * base must stay below 2^31, got ${args.buckets} * ${args.base}.`);
    this.radius = args.radius;
    this.buckets = args.buckets;
    this.base = args.base;
    this.boundaries = [...(args.boundaries ?? [])];
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = tf.cast(Array.isArray(inputs) ? inputs[0] : inputs, 'int32') as tf.Tensor2D;
      const [, length] = x.shape;
      const r = this.radius;
      const padded = tf.pad(x, [[0, 0], [r, r]], 0);
      const base = tf.scalar(this.base, 'int32');
      const buckets = tf.scalar(this.buckets, 'int32');
      const at = (o: number) => tf.slice(padded, [0, r + o], [-1, length]);
      let h: tf.Tensor = tf.zerosLike(x);
      if (this.boundaries.length === 0) {
        for (let o = -r; o <= r; o++) {
          if (o === 0) continue;
          h = tf.mod(tf.add(tf.mul(h, base), at(o)), buckets);
        }
        return h;
      }
      // Walk outwards on each side; once a boundary (or the padding) is passed, everything
      // further reads as 0, so the key holds exactly the rest of the word and its offset.
      const inWord = (t: tf.Tensor) => this.boundaries.reduce((m, b) => tf.logicalAnd(m, tf.notEqual(t, tf.scalar(b, 'int32'))), tf.notEqual(t, tf.scalar(0, 'int32')));
      for (const dir of [-1, 1]) {
        let open: tf.Tensor = tf.onesLike(x).asType('bool');
        for (let k = 1; k <= r; k++) {
          const c = at(dir * k);
          open = tf.logicalAnd(open, inWord(c));
          h = tf.mod(tf.add(tf.mul(h, base), tf.where(open, c, tf.zerosLike(c))), buckets);
        }
      }
      return h;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), radius: this.radius, buckets: this.buckets, base: this.base, ...(this.boundaries.length ? { boundaries: this.boundaries } : {}) };
  }
}

/** Constructor arguments of {@link LkWordBag}. */
export interface WordBagArgs {
  name?: string;
  /** Rows of the shared embedding table. */
  buckets: number;
  /** Width of a word vector. */
  dim: number;
  /** Hash functions per word; its vector is the sum of their rows. @default 2 */
  hashes?: number;
  /**
   * `fold[id]` is the id a character counts as inside a word (e.g. its lower-case letter), or 0
   * for a character that separates words (space, punctuation, padding). One entry per id.
   */
  fold: number[];
  /** A word's last `maxWordLength` characters make its key. @default 16 */
  maxWordLength?: number;
  /** Standard deviation of the initial table; 0 starts it at zero. @default 0 */
  stddev?: number;
  seed?: number;
}

/**
 * A hashed bag of words over a character-id sequence: every word (a run of characters whose
 * `fold` is not 0) is hashed `hashes` times into one `[buckets, dim]` table, its vector is
 * the sum of those rows, and the output `[batch, dim]` is the mean over the sentence's words.
 * Several hashes per word keep two words apart even when one of their buckets collides (hash
 * embeddings), so a small table serves a large vocabulary. Words are what a gloss and an
 * example of the same sense share, which character n-grams blur. Starting from a zero table
 * leaves a warm-started model's outputs unchanged.
 * @example
 * ```ts
 * const bag = new LkWordBag({ buckets: 8192, dim: 32, fold }).apply(ids); // [batch, 32]
 * ```
 */
export class LkWordBag extends tf.layers.Layer {
  static className = 'LkWordBag';
  private readonly buckets: number;
  private readonly dim: number;
  private readonly hashes: number;
  private readonly fold: number[];
  private readonly maxWordLength: number;
  private readonly stddev: number;
  private readonly seed: number;
  private table: tf.LayerVariable | undefined;

  constructor(args: WordBagArgs) {
    super(args.name !== undefined ? { name: args.name } : {});
    const hashes = args.hashes ?? 2;
    const maxWordLength = args.maxWordLength ?? 16;
    const ok = (v: number, lo: number, hi: number) => Number.isInteger(v) && v >= lo && v <= hi;
    if (!ok(args.buckets, 2, 1 << 20) || !ok(args.dim, 1, 4096) || !ok(hashes, 1, 4) || !ok(maxWordLength, 1, 64) || !Array.isArray(args.fold) || args.fold.length < 2) {
      throw new Error(`LkWordBag needs buckets in [2, 2^20], dim in [1, 4096], hashes in [1, 4], maxWordLength in [1, 64] and a fold table, got ${JSON.stringify({ ...args, fold: args.fold?.length })}.`);
    }
    if (!args.fold.every((v) => ok(v, 0, args.fold.length - 1))) throw new Error('LkWordBag: fold entries must be ids of the same vocabulary.');
    this.buckets = args.buckets;
    this.dim = args.dim;
    this.hashes = hashes;
    this.fold = [...args.fold];
    this.maxWordLength = maxWordLength;
    this.stddev = args.stddev ?? 0;
    this.seed = args.seed ?? 1;
  }

  override build(): void {
    const init = this.stddev > 0 ? tf.initializers.randomNormal({ mean: 0, stddev: this.stddev, seed: this.seed }) : tf.initializers.zeros();
    this.table = this.addWeight('table', [this.buckets, this.dim], 'float32', init);
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [shape[0], this.dim];
  }

  /**
   * `[batch, length]` bucket of each word, one tensor per hash, and a `[batch, length]` float
   * mask that is 1 on the last character of every word.
   */
  wordKeys(ids: tf.Tensor): { keys: tf.Tensor2D[]; ends: tf.Tensor2D } {
    return tf.tidy(() => {
      const x = tf.cast(ids, 'int32') as tf.Tensor2D;
      const [, length] = x.shape;
      const folded = tf.gather(tf.tensor1d(this.fold, 'int32'), x) as unknown as tf.Tensor2D;
      const inWord = tf.greater(folded, 0);
      const next = tf.slice(tf.pad(inWord.asType('int32'), [[0, 0], [0, 1]]), [0, 1], [-1, length]);
      const ends = tf.logicalAnd(inWord, tf.equal(next, 0)).asType('float32') as tf.Tensor2D;
      const W = this.maxWordLength;
      const padded = tf.pad(folded, [[0, 0], [W, 0]]);
      const base = this.fold.length + 1;
      const keys: tf.Tensor2D[] = [];
      for (let j = 0; j < this.hashes; j++) {
        // Walk back from each position while still inside the word: the key of a word's last
        // character is a polynomial hash of the whole word (its last W characters). A distinct
        // multiplier and offset per hash give independent-looking functions.
        const mult = tf.scalar(base + 2 * j + 1, 'int32');
        const mod = tf.scalar(this.buckets, 'int32');
        let open: tf.Tensor = tf.onesLike(x).asType('bool');
        let h: tf.Tensor = tf.fill(x.shape, (j * 7919) % this.buckets, 'int32');
        for (let k = 0; k < W; k++) {
          const c = tf.slice(padded, [0, W - k], [-1, length]);
          open = tf.logicalAnd(open, tf.greater(c, 0));
          h = tf.mod(tf.add(tf.mul(h, mult), tf.where(open, c, tf.zerosLike(c))), mod);
        }
        keys.push(h as tf.Tensor2D);
      }
      return { keys, ends };
    });
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const { keys, ends } = this.wordKeys(x);
      const table = this.table!.read();
      const rows = keys.map((k) => tf.gather(table, k));
      const vectors = rows.length === 1 ? rows[0] : tf.addN(rows);
      const summed = tf.sum(tf.mul(vectors, tf.expandDims(ends, -1)), 1);
      return tf.div(summed, tf.maximum(tf.sum(ends, 1, true), 1));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      buckets: this.buckets,
      dim: this.dim,
      hashes: this.hashes,
      fold: this.fold,
      maxWordLength: this.maxWordLength,
      stddev: this.stddev,
      seed: this.seed,
    };
  }
}

let registered = false;

/**
 * Registers the text package's custom layers with tfjs serialization (idempotent). Model
 * creation and loading call it; call it yourself before `tf.loadLayersModel` on a saved
 * network folder.
 * @example
 * ```ts
 * registerTextLayers();
 * const encoder = await tf.loadLayersModel('file://model/weights-x/encoder/model.json');
 * ```
 */
export function registerTextLayers(): void {
  if (registered) return;
  tf.serialization.registerClass(LkPositionEmbedding);
  tf.serialization.registerClass(LkSliceLast);
  tf.serialization.registerClass(LkHoleHash);
  tf.serialization.registerClass(LkWordBag);
  registered = true;
}
