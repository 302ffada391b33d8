/**
 * @file A dense autoencoder over plain numeric vectors: sequences, tabular rows, tiny
 * pictures flattened. The simplest complete latentkit model and the one core's tests train.
 */
import * as tf from '@tensorflow/tfjs';
import { ensureEngineSync, initEngine } from '../engine/engine.js';
import { InvalidArgumentError, ShapeMismatchError } from '../errors/errors.js';
import { checkArray, checkChoice, checkInt, checkNumber } from './config-check.js';
import type { LossOutput, StepContext, TensorBatch } from '../training/problem.js';
import { checkNetworkShapes, TfAutoencoder } from './tf-autoencoder.js';
import type { LoadOptions, ModelConfig } from './types.js';

/** Activations the dense layers may use. */
export type DenseActivation = 'relu' | 'elu' | 'tanh' | 'sigmoid' | 'linear' | 'selu' | 'swish';

/** What a caller may pass to {@link VectorAutoencoder.create}. */
export interface VectorAutoencoderOptions {
  /** Length of each input vector. */
  inputDim: number;
  /** Code size. @default 2 */
  latentDim?: number;
  /** Hidden layer widths of the encoder; the decoder mirrors them. @default [64] */
  hidden?: number[];
  /** @default 'relu' */
  activation?: DenseActivation;
  /** `sigmoid` for data in [0, 1], `linear` otherwise. @default 'linear' */
  outputActivation?: 'linear' | 'sigmoid';
  /** Seed of the weight initialisers. @default 1 */
  seed?: number;
}

/** Resolved, JSON-safe config saved with the model. */
export interface VectorAutoencoderConfig extends ModelConfig {
  kind: 'vector/dense-ae';
  version: 1;
  modality: 'vector';
  inputDim: number;
  latentDim: number;
  hidden: number[];
  activation: DenseActivation;
  outputActivation: 'linear' | 'sigmoid';
  seed: number;
}

const ACTIVATIONS: readonly DenseActivation[] = ['relu', 'elu', 'tanh', 'sigmoid', 'linear', 'selu', 'swish'];
/** Widest layer (and longest input) a vector autoencoder accepts. */
const MAX_WIDTH = 1 << 24;

/**
 * Fills defaults and validates every field (a saved config is re-resolved with it on load).
 * @throws {ConfigFieldError} (an InvalidArgumentError) naming the field, its value and the allowed range.
 */
export function resolveVectorAutoencoderConfig(o: VectorAutoencoderOptions): VectorAutoencoderConfig {
  if (typeof o !== 'object' || o === null) throw new InvalidArgumentError('VectorAutoencoder options must be an object.');
  return {
    kind: 'vector/dense-ae',
    version: 1,
    modality: 'vector',
    inputDim: checkInt('inputDim', o.inputDim, 1, MAX_WIDTH),
    latentDim: checkInt('latentDim', o.latentDim ?? 2, 1, MAX_WIDTH),
    hidden: checkArray('hidden', o.hidden ?? [64], { max: 64 }, (f, v) => checkInt(f, v, 1, MAX_WIDTH)),
    activation: checkChoice('activation', o.activation ?? 'relu', ACTIVATIONS),
    outputActivation: checkChoice('outputActivation', o.outputActivation ?? 'linear', ['linear', 'sigmoid'] as const),
    seed: checkNumber('seed', o.seed ?? 1),
  };
}

/** Builds a dense stack `inputDim -> hidden... -> outDim` as a tfjs layers model. */
export function denseStack(name: string, inputDim: number, hidden: number[], outDim: number, activation: DenseActivation, outActivation: string, seed: number): tf.LayersModel {
  const input = tf.input({ shape: [inputDim], name: `${name}_input` });
  let h: tf.SymbolicTensor = input;
  hidden.forEach((units, i) => {
    h = tf.layers
      .dense({ units, activation, name: `${name}_dense${i + 1}`, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + i }) })
      .apply(h) as tf.SymbolicTensor;
  });
  const out = tf.layers
    .dense({ units: outDim, activation: outActivation as DenseActivation, name: `${name}_out`, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 100 }) })
    .apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name });
}

/**
 * Dense autoencoder for numeric vectors, trained on mean squared error.
 * @example
 * ```ts
 * const ae = VectorAutoencoder.create({ inputDim: 9, latentDim: 2, hidden: [16] });
 * await ae.fit(vectors, { epochs: 50 });
 * const [code] = await ae.encode([vectors[0]]);
 * ```
 */
export class VectorAutoencoder extends TfAutoencoder<Float32Array | number[], Float32Array, VectorAutoencoderConfig> {
  static readonly kind = 'vector/dense-ae';

  /** Builds an untrained model from options. */
  static create(options: VectorAutoencoderOptions): VectorAutoencoder {
    ensureEngineSync();
    const c = resolveVectorAutoencoderConfig(options);
    const encoder = denseStack('encoder', c.inputDim, c.hidden, c.latentDim, c.activation, 'linear', c.seed);
    const decoder = denseStack('decoder', c.latentDim, [...c.hidden].reverse(), c.inputDim, c.activation, c.outputActivation, c.seed + 1000);
    return new VectorAutoencoder(c, { encoder, decoder });
  }

  /**
   * Loads a saved model.
   * @param dir the model folder.
   * @param options `allowNonFinite` to load NaN/infinite weights.
   * @throws {ModelFormatError} (and subclasses) for a malformed folder.
   */
  static async load(dir: string, options: LoadOptions = {}): Promise<VectorAutoencoder> {
    return TfAutoencoder.loadFolder(
      dir,
      { kind: VectorAutoencoder.kind, version: 1, networks: ['encoder', 'decoder'], validate: (c) => resolveVectorAutoencoderConfig(c as unknown as VectorAutoencoderOptions) },
      (config, networks) => {
        checkNetworkShapes(config.kind, 'encoder', networks.encoder, [config.inputDim], [config.latentDim]);
        checkNetworkShapes(config.kind, 'decoder', networks.decoder, [config.latentDim], [config.inputDim]);
        return new VectorAutoencoder(config, networks);
      },
      options,
    );
  }

  get codeShape(): number[] {
    return [this.config.latentDim];
  }

  collate(samples: (Float32Array | number[])[]): TensorBatch {
    const d = this.config.inputDim;
    const data = new Float32Array(samples.length * d);
    samples.forEach((s, i) => {
      if (s.length !== d) throw new ShapeMismatchError(`Input ${i} has ${s.length} values; this model takes vectors of ${d}.`);
      data.set(s, i * d);
    });
    return { x: tf.tensor2d(data, [samples.length, d]) };
  }

  loss(batch: TensorBatch, ctx: StepContext): LossOutput {
    const z = this.encodeBatch(batch, ctx.training);
    const y = this.decodeCodes(z);
    return { loss: tf.losses.meanSquaredError(batch.x, y) as tf.Scalar };
  }

  /** Mean squared reconstruction error of each input (how well it fits the learned pattern). */
  async reconstructionErrors(inputs: (Float32Array | number[])[]): Promise<Float32Array> {
    await initEngine();
    const t = tf.tidy(() => {
      const { x } = this.collate(inputs);
      const y = this.decodeCodes(this.encodeBatch({ x }, false));
      return tf.mean(tf.squaredDifference(x, y), 1);
    });
    const out = (await t.data()) as Float32Array;
    t.dispose();
    return Float32Array.from(out);
  }

  protected async toOutputs(decoded: tf.Tensor): Promise<Float32Array[]> {
    const d = this.config.inputDim;
    const data = (await decoded.data()) as Float32Array;
    return Array.from({ length: decoded.shape[0] }, (_, i) => data.slice(i * d, (i + 1) * d));
  }
}
