import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../engine/engine.js';
import { LatentkitError } from '../errors/errors.js';
import type { LossOutput, StepContext, TensorBatch } from '../training/problem.js';
import { TfAutoencoder } from './tf-autoencoder.js';
import type { ModelConfig } from './types.js';

/** Two dense networks; `names` decides what they are called. */
class Pair extends TfAutoencoder<Float32Array> {
  constructor(names: [string, string]) {
    const x = tf.input({ shape: [4] });
    const z = tf.input({ shape: [2] });
    const w = (seed: number) => tf.initializers.glorotUniform({ seed });
    super({ kind: 'test/pair', version: 1, modality: 'vector' } as ModelConfig, {
      [names[0]]: tf.model({ inputs: x, outputs: tf.layers.dense({ units: 2, kernelInitializer: w(1) }).apply(x) as tf.SymbolicTensor }),
      [names[1]]: tf.model({ inputs: z, outputs: tf.layers.dense({ units: 4, kernelInitializer: w(2) }).apply(z) as tf.SymbolicTensor }),
    });
  }
  get codeShape() {
    return [2];
  }
  collate(samples: Float32Array[]): TensorBatch {
    return { x: tf.tensor2d(samples.flatMap((s) => [...s]), [samples.length, 4]) };
  }
  loss(b: TensorBatch, ctx: StepContext): LossOutput {
    return { loss: tf.losses.meanSquaredError(b.x, this.decodeCodes(this.encodeBatch(b, ctx.training))) as tf.Scalar };
  }
  protected async toOutputs(t: tf.Tensor) {
    const d = (await t.data()) as Float32Array;
    return Array.from({ length: t.shape[0] }, (_, i) => d.slice(i * 4, (i + 1) * 4));
  }
}

describe('TfAutoencoder defaults', () => {
  beforeAll(async () => {
    await initEngine();
  });
  const rows = [Float32Array.of(1, 0, 0.5, 0), Float32Array.of(0, 1, 0, 0.5)];
  it('encodes with the encoder network and decodes with the decoder network', async () => {
    const m = new Pair(['encoder', 'decoder']);
    const codes = await m.encode(rows);
    const expected = tf.tidy(() => m.networks.encoder.apply(tf.tensor2d([...rows[0], ...rows[1]], [2, 4])) as tf.Tensor).dataSync();
    expect(Array.from(codes[0].data)).toEqual(Array.from(expected.slice(0, 2)));
    const out = await m.reconstruct(rows);
    expect(out[1]).toHaveLength(4);
    m.dispose();
  });
  it('names the missing network when a model built otherwise does not override them', async () => {
    const m = new Pair(['enc', 'dec']);
    const err = await m.encode(rows).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LatentkitError);
    expect((err as LatentkitError).message).toBe("test/pair has no 'encoder' network");
    m.dispose();
  });
});
