/**
 * @file A tiny conv + conv-transpose autoencoder over `[h, w, 1]` arrays, used by core's tests
 * (core knows no images; this exercises the conv kernels and the trainer). @internal
 */
import * as tf from '@tensorflow/tfjs';
import { createRng } from '../math/random.js';
import { TfAutoencoder } from '../model/tf-autoencoder.js';
import type { ModelConfig } from '../model/types.js';
import type { LossOutput, StepContext, TensorBatch } from '../training/trainer.js';

interface TinyConvConfig extends ModelConfig {
  kind: 'test/tiny-conv-ae';
  version: 1;
  modality: 'test';
  size: number;
}

/** Soft blobs at random places: learnable structure for a conv AE. */
export function blobImages(n: number, size: number, seed: number): Float32Array[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => {
    const cx = rng() * size;
    const cy = rng() * size;
    const img = new Float32Array(size * size);
    for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) img[y * size + x] = Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / 4);
    return img;
  });
}

export class TinyConvAutoencoder extends TfAutoencoder<Float32Array, Float32Array, TinyConvConfig> {
  static readonly kind = 'test/tiny-conv-ae';

  static create(size = 8): TinyConvAutoencoder {
    const init = (s: number) => tf.initializers.glorotUniform({ seed: s });
    const input = tf.input({ shape: [size, size, 1] });
    let h = tf.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: init(1) }).apply(input) as tf.SymbolicTensor;
    h = tf.layers.flatten().apply(h) as tf.SymbolicTensor;
    const code = tf.layers.dense({ units: 4, kernelInitializer: init(2) }).apply(h) as tf.SymbolicTensor;
    const encoder = tf.model({ inputs: input, outputs: code, name: 'encoder' });
    const zin = tf.input({ shape: [4] });
    let d = tf.layers.dense({ units: (size / 2) * (size / 2) * 8, activation: 'relu', kernelInitializer: init(3) }).apply(zin) as tf.SymbolicTensor;
    d = tf.layers.reshape({ targetShape: [size / 2, size / 2, 8] }).apply(d) as tf.SymbolicTensor;
    const out = tf.layers.conv2dTranspose({ filters: 1, kernelSize: 3, strides: 2, padding: 'same', kernelInitializer: init(4) }).apply(d) as tf.SymbolicTensor;
    const decoder = tf.model({ inputs: zin, outputs: out, name: 'decoder' });
    return new TinyConvAutoencoder({ kind: 'test/tiny-conv-ae', version: 1, modality: 'test', size }, { encoder, decoder });
  }

  get codeShape(): number[] {
    return [4];
  }
  collate(samples: Float32Array[]): TensorBatch {
    const s = this.config.size;
    const data = new Float32Array(samples.length * s * s);
    samples.forEach((x, i) => data.set(x, i * s * s));
    return { x: tf.tensor4d(data, [samples.length, s, s, 1]) };
  }
  loss(batch: TensorBatch, ctx: StepContext): LossOutput {
    return { loss: tf.losses.meanSquaredError(batch.x, this.decodeCodes(this.encodeBatch(batch, ctx.training))) as tf.Scalar };
  }
  protected async toOutputs(decoded: tf.Tensor): Promise<Float32Array[]> {
    const n = decoded.shape[0];
    const size = decoded.size / n;
    const data = (await decoded.data()) as Float32Array;
    return Array.from({ length: n }, (_, i) => data.slice(i * size, (i + 1) * size));
  }
}
