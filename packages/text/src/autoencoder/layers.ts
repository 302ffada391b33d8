/**
 * @file The two custom layers of the sentence autoencoder, for what tfjs has no built-in layer:
 * a learned position embedding and a slice of the last axis. Both are registered under
 * latentkit-unique class names so saved folders load in plain tfjs after registration.
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
  registered = true;
}
