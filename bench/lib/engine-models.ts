/**
 * @file The engine benchmark's reference models (the same layers as
 * bench/reference/torch_models.py): the dense AE is core's VectorAutoencoder; the conv and
 * sequence AEs are small TfAutoencoder subclasses defined here.
 */
import {
  TfAutoencoder,
  createRng,
  VectorAutoencoder,
  tf,
  type LossOutput,
  type ModelConfig,
  type StepContext,
  type TensorBatch,
} from '@latentkit/core';

interface ConvBenchConfig extends ModelConfig {
  kind: 'bench/conv-ae';
  version: 1;
  modality: 'bench';
}

/** 28x28x1 -> conv 16 s2 -> conv 32 s2 -> dense 16 -> mirrored decoder (the conv AE). */
export class ConvBenchAutoencoder extends TfAutoencoder<Float32Array, Float32Array, ConvBenchConfig> {
  static readonly kind = 'bench/conv-ae';
  constructor(config: ConvBenchConfig, networks: Record<string, tf.LayersModel>) {
    super(config, networks);
  }
  static create(): ConvBenchAutoencoder {
    const init = (s: number) => tf.initializers.glorotUniform({ seed: s });
    const x = tf.input({ shape: [28, 28, 1] });
    let h = tf.layers.conv2d({ filters: 16, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: init(1) }).apply(x) as tf.SymbolicTensor;
    h = tf.layers.conv2d({ filters: 32, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: init(2) }).apply(h) as tf.SymbolicTensor;
    h = tf.layers.flatten().apply(h) as tf.SymbolicTensor;
    const code = tf.layers.dense({ units: 16, kernelInitializer: init(3) }).apply(h) as tf.SymbolicTensor;
    const z = tf.input({ shape: [16] });
    let d = tf.layers.dense({ units: 7 * 7 * 32, activation: 'relu', kernelInitializer: init(4) }).apply(z) as tf.SymbolicTensor;
    d = tf.layers.reshape({ targetShape: [7, 7, 32] }).apply(d) as tf.SymbolicTensor;
    d = tf.layers.conv2dTranspose({ filters: 16, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: init(5) }).apply(d) as tf.SymbolicTensor;
    d = tf.layers.conv2dTranspose({ filters: 1, kernelSize: 3, strides: 2, padding: 'same', activation: 'sigmoid', kernelInitializer: init(6) }).apply(d) as tf.SymbolicTensor;
    return new ConvBenchAutoencoder({ kind: 'bench/conv-ae', version: 1, modality: 'bench' }, {
      encoder: tf.model({ inputs: x, outputs: code }),
      decoder: tf.model({ inputs: z, outputs: d }),
    });
  }
  get codeShape() {
    return [16];
  }
  collate(samples: Float32Array[]): TensorBatch {
    const data = new Float32Array(samples.length * 784);
    samples.forEach((s, i) => data.set(s, i * 784));
    return { x: tf.tensor4d(data, [samples.length, 28, 28, 1]) };
  }
  loss(b: TensorBatch, ctx: StepContext): LossOutput {
    return { loss: tf.losses.meanSquaredError(b.x, this.decodeCodes(this.encodeBatch(b, ctx.training))) as tf.Scalar };
  }
  protected async toOutputs(t: tf.Tensor) {
    return [(await t.data()) as Float32Array];
  }
}

interface SeqBenchConfig extends ModelConfig {
  kind: 'bench/seq-ae';
  version: 1;
  modality: 'bench';
}

/**
 * Sequence AE over [40, 16] sequences, parallel over time (conv1d 128 k5, conv1d 128 k5 s2,
 * dense 32; mirrored decoder with nearest upsampling): latentkit's answer to a GRU, whose
 * unrolled steps cost ~10,000 kernel calls per batch on wasm.
 */
export class SeqBenchAutoencoder extends ConvBenchAutoencoder {
  static createSeq(): SeqBenchAutoencoder {
    const init = (s: number) => tf.initializers.glorotUniform({ seed: s });
    const x = tf.input({ shape: [40, 16] });
    let h = tf.layers.conv1d({ filters: 128, kernelSize: 5, padding: 'same', activation: 'relu', kernelInitializer: init(1) }).apply(x) as tf.SymbolicTensor;
    h = tf.layers.conv1d({ filters: 128, kernelSize: 5, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: init(2) }).apply(h) as tf.SymbolicTensor;
    h = tf.layers.flatten().apply(h) as tf.SymbolicTensor;
    const code = tf.layers.dense({ units: 32, kernelInitializer: init(3) }).apply(h) as tf.SymbolicTensor;
    const z = tf.input({ shape: [32] });
    let d = tf.layers.dense({ units: 20 * 128, activation: 'relu', kernelInitializer: init(4) }).apply(z) as tf.SymbolicTensor;
    d = tf.layers.reshape({ targetShape: [20, 128] }).apply(d) as tf.SymbolicTensor;
    // tfjs has no upSampling1d: nearest x2 over time through a [t, 1, c] image.
    d = tf.layers.reshape({ targetShape: [20, 1, 128] }).apply(d) as tf.SymbolicTensor;
    d = tf.layers.upSampling2d({ size: [2, 1] }).apply(d) as tf.SymbolicTensor;
    d = tf.layers.reshape({ targetShape: [40, 128] }).apply(d) as tf.SymbolicTensor;
    d = tf.layers.conv1d({ filters: 128, kernelSize: 5, padding: 'same', activation: 'relu', kernelInitializer: init(5) }).apply(d) as tf.SymbolicTensor;
    d = tf.layers.conv1d({ filters: 16, kernelSize: 5, padding: 'same', kernelInitializer: init(6) }).apply(d) as tf.SymbolicTensor;
    const config = { kind: 'bench/seq-ae', version: 1, modality: 'bench' } as SeqBenchConfig as unknown as ConvBenchConfig;
    return new SeqBenchAutoencoder(config, { encoder: tf.model({ inputs: x, outputs: code }), decoder: tf.model({ inputs: z, outputs: d }) });
  }
  override get codeShape() {
    return [32];
  }
  override collate(samples: Float32Array[]): TensorBatch {
    const data = new Float32Array(samples.length * 640);
    samples.forEach((s, i) => data.set(s.subarray(0, 640), i * 640));
    return { x: tf.tensor3d(data, [samples.length, 40, 16]) };
  }
}

export type BenchModel = 'dense' | 'conv' | 'sequence';
export const MODELS: Record<BenchModel, () => TfAutoencoder<Float32Array, Float32Array>> = {
  dense: () => VectorAutoencoder.create({ inputDim: 784, latentDim: 32, hidden: [256], outputActivation: 'sigmoid' }) as unknown as TfAutoencoder<Float32Array, Float32Array>,
  conv: () => ConvBenchAutoencoder.create(),
  sequence: () => SeqBenchAutoencoder.createSeq(),
};


/**
 * Samples/s from a fit's progress stamps (one per step, `progressIntervalMs: 0`): the steps
 * that ended after the first `skip` did, over the time they took. Steps taken in one run
 * (several steps per run, packages/core/src/ort/multi-step.ts) report one after another as the
 * run ends, so the window starts at the end of the run holding step `skip` and counts only
 * later steps; counting every step after the `skip`-th credits a run's other steps with no time.
 */
export function stampRate(stamps: number[], batchSize: number, skip = 2): number {
  const { from, steps } = stampWindow(stamps, skip);
  return (steps * batchSize) / ((stamps[stamps.length - 1] - stamps[from]) / 1000);
}

/**
 * Stamps closer than this are steps of one run: a run's steps report in one synchronous burst
 * (microseconds apart, each reading the clock itself), and no benchmark step takes under 1 ms.
 * Until session 11 only equal stamps counted as one run, which they never are: 32-batch fits
 * in runs of 8 were credited with 30 steps for 24 steps' time (up to 1.25x too fast).
 */
export const SAME_RUN_MS = 0.25;

/** The window {@link stampRate} times: it starts at stamp `from`, and `steps` steps end in it. */
export function stampWindow(stamps: number[], skip = 2): { from: number; steps: number } {
  let from = skip - 1;
  while (from + 1 < stamps.length && stamps[from + 1] - stamps[from] < SAME_RUN_MS) from++;
  return { from, steps: stamps.length - 1 - from };
}

/** `n` random 784-value rows, 80% zeros (MNIST-like sparsity), the same for a seed: the engine benchmark's and labs' data. */
export function fakeImages(n: number, seed = 5): Float32Array[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => Float32Array.from({ length: 784 }, () => (rng() < 0.8 ? 0 : rng())));
}
