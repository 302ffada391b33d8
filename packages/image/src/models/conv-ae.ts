/**
 * @file A convolutional image autoencoder: stride-2 conv stages and a dense code, mirrored by
 * stride-2 transposed convs ending in a sigmoid. With `corruption` it is a denoising
 * autoencoder ({@link createDenoisingAutoencoder}).
 */
import { InvalidArgumentError, tf } from '@latentkit/core';
import { resolveCorruption, type Corruption } from './corruption.js';
import {
  checkCommon,
  checkImageShape,
  checkPositiveInt,
  checkWidths,
  ImageAutoencoder,
  type ImageActivation,
  type ImageModelConfig,
  type ImageShape,
  type ReconstructionLoss,
} from './image-autoencoder.js';
import { convDecoder, convEncoderBody, type ConvSpec } from './networks.js';

/** What a caller may pass to {@link ConvImageAutoencoder.create}. */
export interface ConvImageAutoencoderOptions {
  /** `[height, width, channels]` of the images. @default [28, 28, 1] */
  inputShape?: ImageShape;
  /** Code size. @default 32 */
  latentDim?: number;
  /**
   * Filters of each stride-2 conv stage (its depth is the length); the decoder mirrors them.
   * @default [32, 64]
   */
  filters?: number[];
  /** Conv kernel size. @default 3 */
  kernelSize?: number;
  /** Dense widths between the last conv stage and the code. @default [] */
  hidden?: number[];
  /** @default 'relu' */
  activation?: ImageActivation;
  /** Reconstruction loss. @default 'bce' */
  loss?: ReconstructionLoss;
  /** Train as a denoising autoencoder against this corruption. @default none */
  corruption?: Corruption | null;
  /** Seed of the weight initialisers. @default 1 */
  seed?: number;
}

/** Resolved, JSON-safe config saved with the model. */
export interface ConvImageAutoencoderConfig extends ImageModelConfig {
  kind: 'image/conv-ae';
  version: 1;
  filters: number[];
  kernelSize: number;
  hidden: number[];
  activation: ImageActivation;
}

/**
 * Fills defaults and validates.
 * @param options what the caller passed.
 * @returns the resolved config.
 * @throws {InvalidArgumentError} for invalid sizes, loss, activation, corruption or seed.
 * @example
 * ```ts
 * resolveConvImageAutoencoderConfig({ latentDim: 16 }).filters; // [32, 64]
 * ```
 */
export function resolveConvImageAutoencoderConfig(options: ConvImageAutoencoderOptions = {}): ConvImageAutoencoderConfig {
  checkCommon(options);
  const filters = checkWidths('filters', options.filters ?? [32, 64], 1);
  if (filters.length > 8) throw new InvalidArgumentError(`filters may list at most 8 stages, got ${filters.length}.`);
  return {
    kind: 'image/conv-ae',
    version: 1,
    modality: 'image',
    inputShape: checkImageShape(options.inputShape ?? [28, 28, 1]),
    latentDim: checkPositiveInt('latentDim', options.latentDim ?? 32, 65536),
    filters,
    kernelSize: checkPositiveInt('kernelSize', options.kernelSize ?? 3, 15),
    hidden: checkWidths('hidden', options.hidden ?? []),
    activation: options.activation ?? 'relu',
    loss: options.loss ?? 'bce',
    corruption: resolveCorruption(options.corruption),
    seed: options.seed ?? 1,
  };
}

/** The conv spec of a config. @internal */
export function convSpecOf(c: { inputShape: ImageShape; filters: number[]; kernelSize: number; hidden: number[]; activation: ImageActivation; seed: number }): ConvSpec {
  return { inputShape: c.inputShape, filters: c.filters, kernelSize: c.kernelSize, hidden: c.hidden, activation: c.activation, seed: c.seed };
}

/**
 * Convolutional image autoencoder, kind `image/conv-ae`. For 28x28x1 the default is
 * conv 32 (stride 2) -> conv 64 (stride 2) -> dense code of 32, mirrored.
 *
 * @example
 * ```ts
 * const ae = ConvImageAutoencoder.create({ latentDim: 32 });
 * await ae.fit(train.images, { epochs: 10, batchSize: 64 });
 * const rebuilt = await ae.reconstruct(test.images.slice(0, 8));
 * ```
 */
export class ConvImageAutoencoder extends ImageAutoencoder<ConvImageAutoencoderConfig> {
  static readonly kind = 'image/conv-ae';

  /**
   * Builds an untrained model.
   * @param options architecture, loss, corruption and seed.
   * @returns the model.
   * @throws {InvalidArgumentError} for invalid options.
   */
  static create(options: ConvImageAutoencoderOptions = {}): ConvImageAutoencoder {
    const c = resolveConvImageAutoencoderConfig(options);
    const spec = convSpecOf(c);
    const input = tf.input({ shape: c.inputShape, name: 'encoder_input' });
    const body = convEncoderBody(input, spec);
    const code = tf.layers
      .dense({ units: c.latentDim, name: 'encoder_code', kernelInitializer: tf.initializers.glorotUniform({ seed: c.seed + 100 }) })
      .apply(body) as tf.SymbolicTensor;
    const encoder = tf.model({ inputs: input, outputs: code, name: 'encoder' });
    return new ConvImageAutoencoder(c, { encoder, decoder: convDecoder(c.latentDim, spec) });
  }

  /**
   * Loads a saved model.
   * @param dir the model folder.
   * @returns the model with its weights and training summary.
   * @throws {ModelMismatchError} when the folder holds another kind of model.
   * @throws {ModelFormatError} (and subclasses) for a malformed or tampered folder.
   */
  static load(dir: string): Promise<ConvImageAutoencoder> {
    return ImageAutoencoder.loadImageModel(dir, ConvImageAutoencoder.kind, (c) => resolveConvImageAutoencoderConfig(c as unknown as ConvImageAutoencoderOptions), (c, n) => new ConvImageAutoencoder(c, n));
  }


}

/**
 * A denoising autoencoder: a {@link ConvImageAutoencoder} that trains against a corruption,
 * gaussian noise of standard deviation 0.5 unless told otherwise.
 *
 * @param options as {@link ConvImageAutoencoder.create}.
 * @returns the model (kind `image/conv-ae`, its config holding the corruption).
 * @throws {InvalidArgumentError} for invalid options.
 * @example
 * ```ts
 * const dae = createDenoisingAutoencoder({ latentDim: 32 });
 * await dae.fit(images, { epochs: 10 });
 * const cleaned = await dae.denoise(corrupt(images, { type: 'gaussian', amount: 0.5 }, 1));
 * ```
 */
export function createDenoisingAutoencoder(options: ConvImageAutoencoderOptions = {}): ConvImageAutoencoder {
  return ConvImageAutoencoder.create({ ...options, corruption: options.corruption ?? { type: 'gaussian', amount: 0.5 } });
}
