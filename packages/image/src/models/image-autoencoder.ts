/**
 * @file What every image model of @latentkit/image shares: the config fields (input shape,
 * code size, reconstruction loss, corruption), batching images into tensors (with on-the-fly
 * corruption for denoising training), the reconstruction losses, and tensors back to images.
 */
import {
  checkChoice,
  checkInt,
  ConfigFieldError,
  checkNetworkShapes,
  checkPositiveInt,
  initEngine,
  InvalidArgumentError,
  ShapeMismatchError,
  TfAutoencoder,
  tf,
  type BatchingOptions,
  type LoadOptions,
  type LossOutput,
  type ModelConfig,
  type StepContext,
  type TensorBatch,
} from '@latentkit/core';
import { tensorToImages, type FloatImage } from '../io/float-image.js';
import { augmentInPlace, checkAugmentationFits, resolveAugmentation, type Augmentation } from './augmentation.js';
import { corruptInPlace, resolveCorruption, type Corruption } from './corruption.js';

/** `[height, width, channels]` of the images a model takes; channels is 1 or 3. */
export type ImageShape = [number, number, number];

/**
 * How reconstructions are scored: mean squared error, or binary cross-entropy of the pixel
 * intensities (sharper digits; pixels must be in [0, 1], which {@link FloatImage} guarantees).
 */
export type ReconstructionLoss = 'mse' | 'bce';

/** Activations the hidden layers of the image models may use. */
export type ImageActivation = 'relu' | 'elu' | 'selu' | 'swish' | 'tanh';

/**
 * How files are read into a model's input shape (saved in its config, so `encode` and
 * `reconstruct` read inputs exactly as training did): sharp resizes each image to cover
 * `[width, height]` keeping its aspect ratio and crops the overflow around the centre (`cover`),
 * or letterboxes (`contain`) or stretches (`fill`); transparency is flattened onto `background`.
 */
// A type, not an interface, so it fits core's Json config values.
export type ImageInputPolicy = {
  fit: 'cover' | 'contain' | 'fill';
  background: 'black' | 'white';
};

/** The policy of every model that does not say otherwise: resize to cover, centre crop, black behind transparency. */
export const DEFAULT_INPUT_POLICY: Readonly<ImageInputPolicy> = Object.freeze({ fit: 'cover', background: 'black' });

/** Fields every image model config has (each model adds its own). */
export interface ImageModelConfig extends ModelConfig {
  modality: 'image';
  /** `[height, width, channels]` of the inputs (and outputs). */
  inputShape: ImageShape;
  /** Code size. */
  latentDim: number;
  loss: ReconstructionLoss;
  /** Noise applied to the inputs during training (denoising); null for a plain autoencoder. */
  corruption: Corruption | null;
  /** Random translations of the training images (input and target alike); null for none. */
  augment: Augmentation | null;
  /** Seed of the weight initialisers. */
  seed: number;
  /** How image files are read into `inputShape` (configs saved before it existed read as the default). */
  input: ImageInputPolicy;
}

/** Options every image model takes (each model adds its own and documents its code size). */
export interface ImageModelOptions {
  /** `[height, width, channels]` of the images. @default [28, 28, 1] */
  inputShape?: ImageShape;
  /** Code size. */
  latentDim?: number;
  /** @default 'relu' */
  activation?: ImageActivation;
  /** Reconstruction loss. @default 'bce' */
  loss?: ReconstructionLoss;
  /** Train as a denoising model against this input corruption. @default none */
  corruption?: Corruption | null;
  /**
   * Randomly translate every training image (validation, `encode` and `reconstruct` see the
   * images as they are). Shifts of up to 2 pixels make MNIST codes more linearly separable
   * at a small cost in reconstruction error; see {@link Augmentation}. @default none
   */
  augment?: Augmentation | null;
  /** Seed of the weight initialisers. @default 1 */
  seed?: number;
  /** How image files are read into `inputShape`. @default {@link DEFAULT_INPUT_POLICY} */
  input?: Partial<ImageInputPolicy>;
}

/**
 * @internal Validates the options every image model shares and fills their defaults.
 * @param o what the caller passed.
 * @param latentDefault the model's default code size.
 */
export function resolveCommon(
  o: ImageModelOptions,
  latentDefault: number,
): {
  modality: 'image';
  inputShape: ImageShape;
  latentDim: number;
  activation: ImageActivation;
  loss: ReconstructionLoss;
  corruption: Corruption | null;
  augment: Augmentation | null;
  seed: number;
  input: ImageInputPolicy;
} {
  checkCommon(o);
  const inputShape = checkImageShape(o.inputShape ?? [28, 28, 1]);
  const augment = resolveAugmentation(o.augment);
  checkAugmentationFits(augment, inputShape[0], inputShape[1]);
  return {
    modality: 'image',
    inputShape,
    latentDim: checkPositiveInt('latentDim', o.latentDim ?? latentDefault, 65536),
    activation: checkChoice('activation', o.activation ?? 'relu', ACTIVATIONS),
    loss: checkChoice('loss', o.loss ?? 'bce', ['mse', 'bce'] as const),
    corruption: resolveCorruption(o.corruption),
    augment,
    seed: checkInt('seed', o.seed ?? 1, -(2 ** 31), 2 ** 31 - 1),
    input: resolveInputPolicy(o.input),
  };
}

/**
 * @internal Validates an input policy and fills its defaults.
 * @throws {ConfigFieldError} for an unknown fit or background.
 */
export function resolveInputPolicy(p: Partial<ImageInputPolicy> | null | undefined): ImageInputPolicy {
  if (p === undefined || p === null) return { ...DEFAULT_INPUT_POLICY };
  if (typeof p !== 'object') throw new ConfigFieldError('input', p, "an object { fit, background }");
  return {
    fit: checkChoice('input.fit', p.fit ?? DEFAULT_INPUT_POLICY.fit, ['cover', 'contain', 'fill'] as const),
    background: checkChoice('input.background', p.background ?? DEFAULT_INPUT_POLICY.background, ['black', 'white'] as const),
  };
}

/** The largest height or width the image models accept (a guard against absurd configs). */
export const MAX_IMAGE_SIDE = 4096;
/** Clip for cross-entropy, as Keras does, so log(0) never happens. */
const BCE_EPSILON = 1e-7;
const ACTIVATIONS: readonly ImageActivation[] = ['relu', 'elu', 'selu', 'swish', 'tanh'];

// One check for every package: core's.
export { checkPositiveInt };

/** @internal Validates an input shape and returns a copy. */
export function checkImageShape(shape: unknown): ImageShape {
  if (!Array.isArray(shape) || shape.length !== 3) {
    throw new InvalidArgumentError(`inputShape must be [height, width, channels], got ${JSON.stringify(shape)}.`);
  }
  const [h, w, c] = shape as number[];
  checkPositiveInt('inputShape[0] (height)', h, MAX_IMAGE_SIDE);
  checkPositiveInt('inputShape[1] (width)', w, MAX_IMAGE_SIDE);
  if (c !== 1 && c !== 3) throw new ConfigFieldError('inputShape[2] (channels)', c, '1 or 3');
  return [h, w, c];
}

/** @internal Validates a list of layer widths. */
export function checkWidths(name: string, widths: unknown, minLength = 0): number[] {
  if (!Array.isArray(widths) || widths.length < minLength) {
    throw new InvalidArgumentError(`${name} must be an array of at least ${minLength} positive integers, got ${JSON.stringify(widths)}.`);
  }
  return widths.map((v, i) => checkPositiveInt(`${name}[${i}]`, v, 65536));
}

/** @internal Validates the shared options (each with core's config checks). */
export function checkCommon(o: { loss?: unknown; activation?: unknown; seed?: unknown }): void {
  if (o.loss !== undefined) checkChoice('loss', o.loss, ['mse', 'bce'] as const);
  if (o.activation !== undefined) checkChoice('activation', o.activation, ACTIVATIONS);
  if (o.seed !== undefined) checkInt('seed', o.seed, -(2 ** 31), 2 ** 31 - 1);
}

/**
 * Checks that loaded networks fit the saved config: encoder `inputShape -> latentDim`,
 * decoder `latentDim -> inputShape` (a folder whose config and networks disagree would fail,
 * or allocate absurdly, on first use).
 * @throws {ModelFormatError} naming the network and both shapes.
 * @internal
 */
export function checkImageNetworks(config: { kind: string; inputShape: ImageShape; latentDim: number }, networks: Record<string, tf.LayersModel>): void {
  checkNetworkShapes(config.kind, 'encoder', networks.encoder, [...config.inputShape], [config.latentDim]);
  checkNetworkShapes(config.kind, 'decoder', networks.decoder, [config.latentDim], [...config.inputShape]);
}

/**
 * Reconstruction loss averaged over every value of the batch.
 * @internal
 */
export function reconstructionLoss(kind: ReconstructionLoss, target: tf.Tensor, output: tf.Tensor): tf.Scalar {
  if (kind === 'mse') return tf.losses.meanSquaredError(target, output) as tf.Scalar;
  return tf.mean(pixelBce(target, output)) as tf.Scalar;
}

/** Element-wise binary cross-entropy of probabilities (not logits). @internal */
export function pixelBce(target: tf.Tensor, output: tf.Tensor): tf.Tensor {
  const p = tf.clipByValue(output, BCE_EPSILON, 1 - BCE_EPSILON);
  return tf.neg(tf.add(tf.mul(target, tf.log(p)), tf.mul(tf.sub(1, target), tf.log1p(tf.neg(p)))));
}

/**
 * Base class of the image autoencoders: `FloatImage`s in, codes of `[latentDim]`, `FloatImage`s
 * out. Networks are `encoder` (image -> code) and `decoder` (code -> image in [0, 1]).
 *
 * With a `corruption` in the config, every training (and validation) batch is corrupted
 * with the trainer's per-step seed and the loss scores the reconstruction of the clean
 * images: a denoising autoencoder. `encode`, `reconstruct` and `denoise` never corrupt.
 */
export abstract class ImageAutoencoder<C extends ImageModelConfig> extends TfAutoencoder<FloatImage, FloatImage, C> {
  /**
   * The body of every image model's static `load`: core's validated folder load (config
   * re-resolved by `resolve`, encoder and decoder required), plus a check that the networks
   * fit the config's input shape and code size.
   */
  protected static loadImageModel<M extends ImageAutoencoder<K>, K extends ImageModelConfig>(
    dir: string,
    kind: string,
    resolve: (saved: ModelConfig) => K,
    make: (config: K, networks: Record<string, tf.LayersModel>) => M,
    options: LoadOptions = {},
  ): Promise<M> {
    return TfAutoencoder.loadFolder(
      dir,
      { kind, version: 1, networks: ['encoder', 'decoder'], validate: resolve },
      (config, networks) => {
        checkImageNetworks(config, networks);
        return make(config, networks);
      },
      options,
    );
  }

  get codeShape(): number[] {
    return [this.config.latentDim];
  }

  /** `[height, width, channels]` of the images this model takes and returns. */
  get inputShape(): ImageShape {
    return [...this.config.inputShape];
  }

  /**
   * Stacks images into `{ x }` (plus `{ target }`, the clean images, when the model trains
   * against a corruption and `ctx` is given: training and validation batches). Training
   * batches (`ctx.training`) are first translated by the config's `augment`, target and
   * input alike.
   * @throws {ShapeMismatchError} when an image's size or channels differ from the model's input shape.
   */
  collate(samples: FloatImage[], ctx?: StepContext): TensorBatch {
    const [h, w, c] = this.config.inputShape;
    const per = h * w * c;
    const clean = new Float32Array(samples.length * per);
    samples.forEach((im, i) => {
      if (!im || !(im.data instanceof Float32Array)) {
        throw new InvalidArgumentError(`images[${i}] is not a FloatImage (its data must be a Float32Array).`);
      }
      if (im.width !== w || im.height !== h || im.channels !== c || im.data.length !== per) {
        throw new ShapeMismatchError(
          `images[${i}] is ${im.width}x${im.height}x${im.channels} (${im.data.length} values); this ${this.config.kind} model ` +
            `takes ${w}x${h}x${c} images. Resize with readImage({ width: ${w}, height: ${h}, channels: ${c} }).`,
        );
      }
      clean.set(im.data, i * per);
    });
    const shape: [number, number, number, number] = [samples.length, h, w, c];
    // The augmentation draws from its own seed, so the corruption's noise (seeded by ctx.seed)
    // stays what it was without augmentation.
    if (ctx?.training && this.config.augment) augmentInPlace(clean, samples.length, [h, w, c], this.config.augment, (ctx.seed ^ 0x5bd1e995) >>> 0);
    if (ctx && this.config.corruption) {
      const noisy = clean.slice();
      corruptInPlace(noisy, this.config.corruption, ctx.seed);
      return { x: tf.tensor4d(noisy, shape), target: tf.tensor4d(clean, shape) };
    }
    return { x: tf.tensor4d(clean, shape) };
  }

  /** Reconstruction loss of the clean images from the (possibly corrupted) inputs; reports `mse` too under BCE. */
  loss(batch: TensorBatch, ctx: StepContext): LossOutput {
    const target = batch.target ?? batch.x;
    const y = this.decodeCodes(this.encodeBatch(batch, ctx.training));
    const loss = reconstructionLoss(this.config.loss, target, y);
    if (this.config.loss === 'mse') return { loss };
    return { loss, metrics: { mse: tf.losses.meanSquaredError(target, y) as tf.Scalar } };
  }

  protected async toOutputs(decoded: tf.Tensor): Promise<FloatImage[]> {
    return tensorToImages(decoded);
  }

  /**
   * Cleans noisy images: the reconstruction of each input, which for a model trained with a
   * `corruption` is its estimate of the clean image.
   *
   * @param images images of the model's input shape.
   * @param options batch size of the forward passes.
   * @returns one image per input, values in [0, 1].
   * @throws {ShapeMismatchError} when an image does not fit the model.
   * @example
   * ```ts
   * const noisy = corrupt(images, { type: 'gaussian', amount: 0.5 }, 1);
   * const clean = await model.denoise(noisy);
   * ```
   */
  denoise(images: FloatImage[], options: BatchingOptions = {}): Promise<FloatImage[]> {
    return this.reconstruct(images, options);
  }

  /**
   * Mean squared reconstruction error of each image (an anomaly score: high for images
   * unlike the training data).
   *
   * @param images images of the model's input shape.
   * @param options batch size of the forward passes.
   * @returns one error per image.
   * @throws {ShapeMismatchError} when an image does not fit the model.
   * @example
   * ```ts
   * const errors = await model.reconstructionErrors(testImages);
   * ```
   */
  async reconstructionErrors(images: FloatImage[], options: BatchingOptions = {}): Promise<Float32Array> {
    await initEngine();
    const bs = options.batchSize ?? 256;
    const out = new Float32Array(images.length);
    for (let s = 0; s < images.length; s += bs) {
      const t = tf.tidy(() => {
        const { x } = this.collate(images.slice(s, s + bs));
        const y = this.decodeCodes(this.encodeBatch({ x }, false));
        return tf.mean(tf.squaredDifference(x, y), [1, 2, 3]);
      });
      out.set((await t.data()) as Float32Array, s);
      t.dispose();
    }
    return out;
  }
}
