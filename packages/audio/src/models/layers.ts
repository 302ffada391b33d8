/**
 * @file The custom tfjs layers of the speech autoencoder: mask-aware instance normalisation,
 * adaptive instance normalisation (AdaIN) and masked mean pooling over time. Each works on
 * `[batch, frames, channels]` and takes an optional `[batch, frames, 1]` mask of valid frames,
 * so padded frames neither enter the statistics nor leave anything but zeros behind.
 *
 * They are registered with `tf.serialization.registerClass` (call
 * {@link registerAudioLayers}, which the model does before building or loading), so a saved
 * network loads in plain tfjs once these classes are registered there too.
 */
import { tf } from '@latentkit/core';

type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;
type Shape = (number | null)[];
type Kwargs = Parameters<tf.layers.Layer['call']>[1];

/** Options of {@link LkInstanceNorm} and {@link LkAdaIN}. */
export interface InstanceNormArgs extends LayerArgs {
  /** Added to the variance before the square root. @default 1e-5 */
  epsilon?: number;
}

function asList(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor[] {
  return Array.isArray(inputs) ? inputs : [inputs];
}

function firstShape(inputShape: Shape | Shape[]): Shape {
  return Array.isArray(inputShape[0]) ? (inputShape[0] as Shape) : (inputShape as Shape);
}

/**
 * Per-channel mean and variance over time (axis 1) of `x` `[b, t, c]`, counting only frames
 * where `mask` `[b, t, 1]` is 1. Returns `[b, 1, c]` tensors. Frames are all valid without a mask.
 */
function timeMoments(x: tf.Tensor, mask: tf.Tensor | undefined): { mean: tf.Tensor; variance: tf.Tensor } {
  if (!mask) {
    const { mean, variance } = tf.moments(x, 1, true);
    return { mean, variance };
  }
  // An all-padding row would divide by zero; its output is masked to zero anyway.
  const count = tf.maximum(tf.sum(mask, 1, true), 1);
  const mean = tf.div(tf.sum(tf.mul(x, mask), 1, true), count);
  const centred = tf.mul(tf.sub(x, mean), mask);
  const variance = tf.div(tf.sum(tf.square(centred), 1, true), count);
  return { mean, variance };
}

function normalise(x: tf.Tensor, mask: tf.Tensor | undefined, epsilon: number): tf.Tensor {
  const { mean, variance } = timeMoments(x, mask);
  const y = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, epsilon)));
  return mask ? tf.mul(y, mask) : y;
}

/** What both normalisation layers share: an `epsilon`, the shape of `x` out, and its config. */
abstract class NormalisingLayer extends tf.layers.Layer {
  readonly epsilon: number;

  /** @param args layer name and `epsilon` (default 1e-5). */
  constructor(args: InstanceNormArgs = {}) {
    super(args);
    this.epsilon = args.epsilon ?? 1e-5;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return firstShape(inputShape);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), epsilon: this.epsilon };
  }
}

/**
 * Instance normalisation over time without affine parameters: each channel of each sample is
 * shifted and scaled to zero mean and unit variance over its (valid) frames. In the content
 * encoder this removes the per-utterance channel statistics where speaker identity lives.
 *
 * Inputs: `x` `[b, t, c]`, or `[x, mask]` with `mask` `[b, t, 1]` (1 = valid frame). Output:
 * the normalised `x`, zero on padded frames.
 *
 * @example
 * ```ts
 * const y = new LkInstanceNorm({ name: 'in1' }).apply([x, mask]) as tf.SymbolicTensor;
 * ```
 */
export class LkInstanceNorm extends NormalisingLayer {
  /** Name under which tfjs serialises the layer. */
  static className = 'LkInstanceNorm';

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const [x, mask] = asList(inputs);
      return normalise(x, mask, this.epsilon);
    });
  }

}

/**
 * Adaptive instance normalisation (Huang and Belongie 2017; AdaIN-VC, Chou et al. 2019):
 * instance-normalises `x` over time, then gives each channel the scale `gamma` and shift
 * `beta` predicted from the speaker code: `y = gamma * IN(x) + beta`.
 *
 * Inputs: `[x, gamma, beta]` or `[x, gamma, beta, mask]` with `x` `[b, t, c]`, `gamma` and
 * `beta` `[b, c]`, `mask` `[b, t, 1]`. Output `[b, t, c]`, zero on padded frames; each
 * channel's mean over valid frames is `beta` and its standard deviation `|gamma|`.
 *
 * @example
 * ```ts
 * const y = new LkAdaIN({ name: 'adain1' }).apply([h, gamma, beta, mask]) as tf.SymbolicTensor;
 * ```
 */
export class LkAdaIN extends NormalisingLayer {
  /** Name under which tfjs serialises the layer. */
  static className = 'LkAdaIN';

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const [x, gamma, beta, mask] = asList(inputs);
      const y = tf.add(tf.mul(normalise(x, mask, this.epsilon), tf.expandDims(gamma, 1)), tf.expandDims(beta, 1));
      return mask ? tf.mul(y, mask) : y;
    });
  }

}

/**
 * Mean over time of the valid frames: `[x, mask]` (or `x`) `[b, t, c]` -> `[b, c]`. The
 * speaker encoder pools with it so a clip's speaker code does not depend on padding.
 *
 * @example
 * ```ts
 * const pooled = new LkMaskedMeanPool({ name: 'pool' }).apply([h, mask]) as tf.SymbolicTensor;
 * ```
 */
export class LkMaskedMeanPool extends tf.layers.Layer {
  /** Name under which tfjs serialises the layer. */
  static className = 'LkMaskedMeanPool';

  /** @param args layer name. */
  constructor(args: LayerArgs = {}) {
    super(args);
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const s = firstShape(inputShape);
    return [s[0], s[2]];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const [x, mask] = asList(inputs);
      if (!mask) return tf.mean(x, 1);
      const count = tf.maximum(tf.sum(mask, 1), 1);
      return tf.div(tf.sum(tf.mul(x, mask), 1), count);
    });
  }
}

let registered = false;

/**
 * Registers the audio model's custom layers with tfjs's serialisation registry, so networks
 * that use them can be rebuilt from `model.json`. Idempotent.
 * @example
 * ```ts
 * registerAudioLayers();
 * const net = await tf.loadLayersModel('file://speaker-encoder/model.json');
 * ```
 */
export function registerAudioLayers(): void {
  if (registered) return;
  for (const cls of [LkInstanceNorm, LkAdaIN, LkMaskedMeanPool]) tf.serialization.registerClass(cls);
  registered = true;
}
