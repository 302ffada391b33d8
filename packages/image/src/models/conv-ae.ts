/**
 * @file A convolutional image autoencoder: stride-2 conv stages and a dense code, mirrored by
 * stride-2 transposed convs ending in a sigmoid. With `corruption` it is a denoising
 * autoencoder ({@link createDenoisingAutoencoder}).
 */
import { InvalidArgumentError, tf, type LoadOptions } from '@latentkit/core';
import {
  checkPositiveInt,
  checkWidths,
  ImageAutoencoder,
  resolveCommon,
  type ImageActivation,
  type ImageModelConfig,
  type ImageModelOptions,
  type ImageShape,
} from './image-autoencoder.js';
import { convDecoder, convEncoderBody, type ConvSpec } from './networks.js';

/** The layout options of the conv models (this autoencoder and {@link ImageVAE}). */
export interface ConvLayoutOptions {
  /**
   * Filters of each stride-2 conv stage (its depth is the length); the decoder mirrors them.
   * @default [32, 64]
   */
  filters?: number[];
  /** Conv kernel size. @default 3 */
  kernelSize?: number;
  /** Dense widths between the last conv stage and the code. */
  hidden?: number[];
}

/** The resolved layout of a conv model, saved in its config. */
export interface ConvLayout {
  filters: number[];
  kernelSize: number;
  hidden: number[];
  activation: ImageActivation;
}

/** What a caller may pass to {@link ConvImageAutoencoder.create}. */
export interface ConvImageAutoencoderOptions extends ImageModelOptions, ConvLayoutOptions {
  /** Code size. @default 32 */
  latentDim?: number;
  /** Dense widths between the last conv stage and the code. @default [] */
  hidden?: number[];
}

/** Resolved, JSON-safe config saved with the model. */
export interface ConvImageAutoencoderConfig extends ImageModelConfig, ConvLayout {
  kind: 'image/conv-ae';
  version: 1;
}

/**
 * @internal Validates the layout options of a conv model and fills their defaults.
 * @param o what the caller passed.
 * @param hiddenDefault the model's default dense widths.
 */
export function resolveConvLayout(o: ConvLayoutOptions & { activation?: ImageActivation }, hiddenDefault: number[]): ConvLayout {
  const filters = checkWidths('filters', o.filters ?? [32, 64], 1);
  if (filters.length > 8) throw new InvalidArgumentError(`filters may list at most 8 stages, got ${filters.length}.`);
  return {
    filters,
    kernelSize: checkPositiveInt('kernelSize', o.kernelSize ?? 3, 15),
    hidden: checkWidths('hidden', o.hidden ?? hiddenDefault),
    activation: o.activation ?? 'relu',
  };
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
  const common = resolveCommon(options, 32);
  return { kind: 'image/conv-ae', version: 1, ...common, ...resolveConvLayout(options, []) };
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
   * @param options `allowNonFinite` to load NaN/infinite weights (to inspect a diverged run).
   * @returns the model with its weights and training summary.
   * @throws {ModelMismatchError} when the folder holds another kind of model.
   * @throws {ModelFormatError} (and subclasses) for a malformed or tampered folder.
   */
  static load(dir: string, options: LoadOptions = {}): Promise<ConvImageAutoencoder> {
    return ImageAutoencoder.loadImageModel(dir, ConvImageAutoencoder.kind, (c) => resolveConvImageAutoencoderConfig(c as unknown as ConvImageAutoencoderOptions), (c, n) => new ConvImageAutoencoder(c, n), options);
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
