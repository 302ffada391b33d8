/**
 * @file A fully connected image autoencoder: pixels flattened, dense layers down to the code
 * and back up to sigmoid pixels. The simplest baseline, and a denoiser with `corruption`.
 */
import type { LoadOptions } from '@latentkit/core';
import { checkWidths, ImageAutoencoder, resolveCommon, type ImageActivation, type ImageModelConfig, type ImageModelOptions } from './image-autoencoder.js';
import { denseDecoder, denseEncoder } from './networks.js';

/** What a caller may pass to {@link DenseImageAutoencoder.create}. */
export interface DenseImageAutoencoderOptions extends ImageModelOptions {
  /** Code size. @default 32 */
  latentDim?: number;
  /** Hidden widths of the encoder; the decoder mirrors them. @default [512, 256] */
  hidden?: number[];
}

/** Resolved, JSON-safe config saved with the model. */
export interface DenseImageAutoencoderConfig extends ImageModelConfig {
  kind: 'image/dense-ae';
  version: 1;
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
 * resolveDenseImageAutoencoderConfig({ latentDim: 16 }).hidden; // [512, 256]
 * ```
 */
export function resolveDenseImageAutoencoderConfig(options: DenseImageAutoencoderOptions = {}): DenseImageAutoencoderConfig {
  const common = resolveCommon(options, 32);
  return { kind: 'image/dense-ae', version: 1, ...common, hidden: checkWidths('hidden', options.hidden ?? [512, 256]) };
}

/**
 * Dense (fully connected) image autoencoder, kind `image/dense-ae`.
 *
 * @example
 * ```ts
 * const ae = DenseImageAutoencoder.create({ latentDim: 32 });
 * await ae.fit(images, { epochs: 10 });
 * const codes = await ae.encode(images.slice(0, 8)); // shape [32] each
 * const again = await ae.decode(codes);              // 28x28x1 images
 * ```
 */
export class DenseImageAutoencoder extends ImageAutoencoder<DenseImageAutoencoderConfig> {
  static readonly kind = 'image/dense-ae';

  /**
   * Builds an untrained model.
   * @param options architecture, loss, corruption and seed.
   * @returns the model.
   * @throws {InvalidArgumentError} for invalid options.
   */
  static create(options: DenseImageAutoencoderOptions = {}): DenseImageAutoencoder {
    return DenseImageAutoencoder.fromConfig(resolveDenseImageAutoencoderConfig(options));
  }

  private static fromConfig(c: DenseImageAutoencoderConfig): DenseImageAutoencoder {
    const encoder = denseEncoder(c.inputShape, c.hidden, c.latentDim, c.activation, c.seed);
    const decoder = denseDecoder(c.inputShape, c.hidden, c.latentDim, c.activation, c.seed);
    return new DenseImageAutoencoder(c, { encoder, decoder });
  }

  /**
   * Loads a saved model.
   * @param dir the model folder.
   * @param options `allowNonFinite` to load NaN/infinite weights (to inspect a diverged run).
   * @returns the model with its weights and training summary.
   * @throws {ModelMismatchError} when the folder holds another kind of model.
   * @throws {ModelFormatError} (and subclasses) for a malformed or tampered folder.
   */
  static load(dir: string, options: LoadOptions = {}): Promise<DenseImageAutoencoder> {
    return ImageAutoencoder.loadImageModel(dir, DenseImageAutoencoder.kind, (c) => resolveDenseImageAutoencoderConfig(c as unknown as DenseImageAutoencoderOptions), (c, n) => new DenseImageAutoencoder(c, n), options);
  }


}
