/**
 * @file A convolutional variational autoencoder (Kingma & Welling) with a β weight on the KL
 * term (Higgins et al.): the encoder gives a mean and log-variance per code dimension, the
 * code is sampled by reparameterisation with the trainer's per-step seed, and the decoder
 * turns any code (including draws from the prior) into an image.
 */
import { checkNumber, createNormalRng, initEngine, InvalidArgumentError, tf, type LossOutput, type StepContext, type TensorBatch, type LoadOptions } from '@latentkit/core';
import type { FloatImage } from '../io/float-image.js';
import { convSpecOf, resolveConvLayout, type ConvLayout, type ConvLayoutOptions } from './conv-ae.js';
import {
  checkPositiveInt,
  ImageAutoencoder,
  pixelBce,
  resolveCommon,
  type ImageModelConfig,
  type ImageModelOptions,
  type ReconstructionLoss,
} from './image-autoencoder.js';
import { convDecoder, convEncoderBody } from './networks.js';

/** What a caller may pass to {@link ImageVAE.create}. */
export interface ImageVAEOptions extends ImageModelOptions, ConvLayoutOptions {
  /** Code size. @default 16 */
  latentDim?: number;
  /** Dense widths between the last conv stage and the code. @default [256] */
  hidden?: number[];
  /** Reconstruction term, summed over the pixels of each image. @default 'bce' */
  loss?: ReconstructionLoss;
  /** Weight of the KL term (1: the plain VAE; above 1: β-VAE). @default 1 */
  beta?: number;
}

/** Resolved, JSON-safe config saved with the model. */
export interface ImageVAEConfig extends ImageModelConfig, ConvLayout {
  kind: 'image/vae';
  version: 1;
  beta: number;
}

/**
 * Fills defaults and validates.
 * @param options what the caller passed.
 * @returns the resolved config.
 * @throws {InvalidArgumentError} for invalid sizes, loss, activation, beta, corruption or seed.
 * @example
 * ```ts
 * resolveImageVAEConfig({ beta: 4 }).latentDim; // 16
 * ```
 */
export function resolveImageVAEConfig(options: ImageVAEOptions = {}): ImageVAEConfig {
  const beta = checkNumber('beta', options.beta ?? 1, { min: 0, max: 1e4 });
  const common = resolveCommon(options, 16);
  return { kind: 'image/vae', version: 1, ...common, ...resolveConvLayout(options, [256]), beta };
}

/**
 * Convolutional VAE, kind `image/vae`. `encode` returns the posterior mean; training reports
 * `recon` (reconstruction term per image) and `kl` (KL divergence per image) as metrics, and
 * the loss is `recon + beta * kl`.
 *
 * @example
 * ```ts
 * const vae = ImageVAE.create({ latentDim: 16 });
 * await vae.fit(images, { epochs: 10 });
 * const fakes = await vae.sample(16, 7);
 * const morph = await vae.interpolate(images[0], images[1], 8);
 * ```
 */
export class ImageVAE extends ImageAutoencoder<ImageVAEConfig> {
  static readonly kind = 'image/vae';

  /**
   * Builds an untrained model.
   * @param options architecture, loss, beta, corruption and seed.
   * @returns the model.
   * @throws {InvalidArgumentError} for invalid options.
   */
  static create(options: ImageVAEOptions = {}): ImageVAE {
    const c = resolveImageVAEConfig(options);
    const spec = convSpecOf(c);
    const input = tf.input({ shape: c.inputShape, name: 'encoder_input' });
    const body = convEncoderBody(input, spec);
    const init = (s: number) => tf.initializers.glorotUniform({ seed: c.seed + s });
    const mean = tf.layers.dense({ units: c.latentDim, name: 'z_mean', kernelInitializer: init(100) }).apply(body) as tf.SymbolicTensor;
    // Starts near log-variance 0 (unit variance, the prior) so early KL terms stay small.
    const logVar = tf.layers
      .dense({ units: c.latentDim, name: 'z_log_var', kernelInitializer: tf.initializers.randomNormal({ mean: 0, stddev: 1e-3, seed: c.seed + 101 }) })
      .apply(body) as tf.SymbolicTensor;
    const encoder = tf.model({ inputs: input, outputs: [mean, logVar], name: 'encoder' });
    return new ImageVAE(c, { encoder, decoder: convDecoder(c.latentDim, spec) });
  }

  /**
   * Loads a saved model.
   * @param dir the model folder.
   * @param options `allowNonFinite` to load NaN/infinite weights (to inspect a diverged run).
   * @returns the model with its weights and training summary.
   * @throws {ModelMismatchError} when the folder holds another kind of model.
   * @throws {ModelFormatError} (and subclasses) for a malformed or tampered folder.
   */
  static load(dir: string, options: LoadOptions = {}): Promise<ImageVAE> {
    return ImageAutoencoder.loadImageModel(dir, ImageVAE.kind, (c) => resolveImageVAEConfig(c as unknown as ImageVAEOptions), (c, n) => new ImageVAE(c, n), options);
  }



  /** The posterior mean (the deterministic code). */
  protected override encodeBatch(batch: TensorBatch, training: boolean): tf.Tensor {
    const [mean] = this.networks.encoder.apply(batch.x, { training }) as tf.Tensor[];
    return mean;
  }

  /** Negative ELBO: reconstruction summed over pixels plus `beta` times the KL to N(0, I), averaged over images. */
  override loss(batch: TensorBatch, ctx: StepContext): LossOutput {
    const [mean, logVar] = this.networks.encoder.apply(batch.x, { training: ctx.training }) as tf.Tensor[];
    const eps = tf.randomNormal(mean.shape, 0, 1, 'float32', ctx.seed);
    const z = tf.add(mean, tf.mul(tf.exp(tf.mul(logVar, 0.5)), eps));
    const y = this.decodeCodes(z);
    const target = batch.target ?? batch.x;
    const perPixel = this.config.loss === 'bce' ? pixelBce(target, y) : tf.squaredDifference(target, y);
    const recon = tf.mean(tf.sum(perPixel, [1, 2, 3])) as tf.Scalar;
    const kl = tf.mean(tf.mul(-0.5, tf.sum(tf.sub(tf.add(1, logVar), tf.add(tf.square(mean), tf.exp(logVar))), 1))) as tf.Scalar;
    return { loss: tf.add(recon, tf.mul(kl, this.config.beta)) as tf.Scalar, metrics: { recon, kl } };
  }

  /**
   * Draws images from the model: codes from the prior N(0, I), decoded.
   *
   * @param n how many images (at most 100,000).
   * @param seed seed of the codes; the same seed gives the same images. @default a random seed
   * @returns `n` images of the model's input shape, values in [0, 1].
   * @throws {InvalidArgumentError} when `n` is not a positive integer.
   * @example
   * ```ts
   * const fakes = await vae.sample(16, 1);
   * ```
   */
  async sample(n: number, seed?: number): Promise<FloatImage[]> {
    checkPositiveInt('n', n, 100_000);
    if (seed !== undefined && !Number.isFinite(seed)) throw new InvalidArgumentError(`seed must be a finite number, got ${seed}.`);
    await initEngine();
    const d = this.config.latentDim;
    const normal = createNormalRng(seed ?? Math.floor(Math.random() * 2 ** 31));
    const codes = new Float32Array(n * d);
    for (let i = 0; i < codes.length; i++) codes[i] = normal();
    return this.decodeArray(codes, n);
  }

  /**
   * Walks the code space in a straight line from one image to another: encodes both (means),
   * decodes `steps` evenly spaced codes, ends included.
   *
   * @param a the first image (the model's input shape).
   * @param b the last image.
   * @param steps how many images, at least 2 and at most 10,000.
   * @returns `steps` images; the first and last are the reconstructions of `a` and `b`.
   * @throws {InvalidArgumentError} when `steps` is out of range.
   * @throws {ShapeMismatchError} when an image does not fit the model.
   * @example
   * ```ts
   * const morph = await vae.interpolate(three, eight, 10);
   * ```
   */
  async interpolate(a: FloatImage, b: FloatImage, steps: number): Promise<FloatImage[]> {
    checkPositiveInt('steps', steps, 10_000);
    if (steps < 2) throw new InvalidArgumentError(`steps must be at least 2 (both ends), got ${steps}.`);
    const [za, zb] = await this.encode([a, b]);
    const d = this.config.latentDim;
    const codes = new Float32Array(steps * d);
    for (let s = 0; s < steps; s++) {
      const t = s / (steps - 1);
      for (let j = 0; j < d; j++) codes[s * d + j] = (1 - t) * za.data[j] + t * zb.data[j];
    }
    return this.decodeArray(codes, steps);
  }

  private async decodeArray(codes: Float32Array, n: number): Promise<FloatImage[]> {
    const d = this.config.latentDim;
    const out: FloatImage[] = [];
    for (let s = 0; s < n; s += 256) {
      const m = Math.min(256, n - s);
      const decoded = tf.tidy(() => this.decodeCodes(tf.tensor2d(codes.subarray(s * d, (s + m) * d), [m, d])));
      try {
        out.push(...(await this.toOutputs(decoded)));
      } finally {
        decoded.dispose();
      }
    }
    return out;
  }
}
