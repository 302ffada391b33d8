/**
 * @file The base class of every tfjs-backed latentkit model: it turns a config plus named
 * networks plus a loss into the full {@link Autoencoder} contract (encode, decode,
 * reconstruct, fit, save, checkpoints). Subclasses write only what is specific to them.
 * Reading, saving and training go through the model host (host.ts), so the same class runs in
 * Node (folders on disk) and in a page (folders over HTTP, encode and decode).
 */
import * as tf from '@tensorflow/tfjs';
import { initEngine, engineInfo } from '../engine/engine.js';
import { InvalidArgumentError, LatentkitError, ModelFormatError, ShapeMismatchError, UnsupportedFormatVersionError } from '../errors/errors.js';
import { MANIFEST_FILE } from '../io/folder-check.js';
import type { LoadedModelFolder, TrainingSummary } from '../io/model-manifest.js';
import { makeLatent, shapeSize, type Latent } from '../latent/latent.js';
import { asDataset, type Dataset } from '../training/dataset.js';
import type { LossOutput, StepContext, TensorBatch, TrainingProblem } from '../training/problem.js';
import type { FitOptions, History } from '../training/types.js';
import { BatchProgress, type BatchingOptions } from './batch-progress.js';
import { modelHost } from './host.js';
import type { Autoencoder, LoadOptions, ModelConfig, SaveOptions } from './types.js';

export type { BatchingOptions } from './batch-progress.js';

/**
 * Shared implementation of {@link Autoencoder} over tfjs layers models.
 *
 * A subclass provides:
 * - `collate(samples)`: inputs to tensors (the trainer and `encode` both use it);
 * - `encodeBatch(batch, training)`: the code tensor `[n, ...codeShape]` (default: the `encoder`
 *   network on `batch.x`);
 * - `decodeCodes(codes)`: codes back to the output tensor (default: the `decoder` network);
 * - `loss(batch, ctx)`: the training objective;
 * - `toOutputs(tensor)`: output tensor to user-facing outputs (images, clips, strings).
 */
export abstract class TfAutoencoder<I, O = I, C extends ModelConfig = ModelConfig>
  implements Autoencoder<I, O, C>, TrainingProblem<I>
{
  /** Summary of the last `fit` (or of the training that produced a loaded model). */
  training: TrainingSummary | undefined;

  protected constructor(
    readonly config: C,
    /** Named sub-networks, saved as `<name>/model.json` (e.g. `encoder`, `decoder`). */
    readonly networks: Record<string, tf.LayersModel>,
  ) {}

  /** Shape of one code, e.g. `[32]`. */
  abstract get codeShape(): number[];
  abstract collate(samples: I[], ctx?: StepContext): TensorBatch;

  /**
   * The code of a collated batch. The default fits models built as two networks named `encoder`
   * (reading `batch.x`) and `decoder`; models with other inputs or more networks override it.
   */
  protected encodeBatch(batch: TensorBatch, training: boolean): tf.Tensor {
    const encoder = this.networks.encoder;
    if (!encoder) throw new LatentkitError(`${this.config.kind} has no 'encoder' network`, { hint: 'override encodeBatch for models built from other networks' });
    return encoder.apply(batch.x, { training }) as tf.Tensor;
  }

  /** The decoder's output for codes (default: the `decoder` network). */
  protected decodeCodes(codes: tf.Tensor): tf.Tensor {
    const decoder = this.networks.decoder;
    if (!decoder) throw new LatentkitError(`${this.config.kind} has no 'decoder' network`, { hint: 'override decodeCodes for models built from other networks' });
    return decoder.apply(codes) as tf.Tensor;
  }
  abstract loss(batch: TensorBatch, ctx: StepContext): LossOutput;
  protected abstract toOutputs(decoded: tf.Tensor): Promise<O[]>;

  /** Files saved next to the networks (vocabularies and such). */
  protected extraFiles(): Record<string, Uint8Array | string> {
    return {};
  }

  /** Every trainable variable of every network, in a stable order. */
  variables(): tf.Variable[] {
    return Object.values(this.networks).flatMap((n) => n.trainableWeights.map((w) => w.read() as tf.Variable));
  }

  /** Number of trainable parameters. */
  countParams(): number {
    return Object.values(this.networks).reduce((s, n) => s + n.countParams(), 0);
  }

  /**
   * Encodes inputs into one latent each.
   * @param inputs the inputs.
   * @param options `batchSize`; `onProgress` (fit's events, one pass over the inputs) and
   *   `signal` for long runs.
   * @throws {ShapeMismatchError} (or the subclass's input errors) when inputs do not fit the model.
   * @throws {AbortError} when `options.signal` aborts (between batches).
   */
  async encode(inputs: I[], options: BatchingOptions = {}): Promise<Latent[]> {
    await initEngine();
    const out: Latent[] = [];
    const bs = options.batchSize ?? 256;
    const shape = this.codeShape;
    const size = shapeSize(shape);
    const progress = new BatchProgress('Encoding', inputs.length, Math.ceil(inputs.length / bs), options);
    for (let s = 0; s < inputs.length; s += bs) {
      const chunk = inputs.slice(s, s + bs);
      const codes = tf.tidy(() => {
        const batch = this.collate(chunk);
        try {
          return this.encodeBatch(batch, false);
        } finally {
          tf.dispose(Object.values(batch));
        }
      });
      const data = (await codes.data()) as Float32Array;
      codes.dispose();
      for (let i = 0; i < chunk.length; i++) {
        out.push(makeLatent(data.slice(i * size, (i + 1) * size), shape, this.config.modality, this.config.kind));
      }
      progress.done(chunk.length);
    }
    progress.end();
    return out;
  }

  /** Stacks latents into a code tensor, checking each has this model's code shape. */
  protected codesToTensor(codes: Latent[]): tf.Tensor {
    const shape = this.codeShape;
    const size = shapeSize(shape);
    const data = new Float32Array(codes.length * size);
    codes.forEach((c, i) => {
      if (c.data.length !== size) {
        throw new ShapeMismatchError(`Code ${i} has ${c.data.length} values (shape [${c.shape.join(', ')}]); this ${this.config.kind} model decodes codes of shape [${shape.join(', ')}].`);
      }
      data.set(c.data, i * size);
    });
    return tf.tensor(data, [codes.length, ...shape]);
  }

  /**
   * Decodes latents into outputs.
   * @throws {ShapeMismatchError} for codes of the wrong size.
   * @throws {AbortError} when `options.signal` aborts (between batches).
   */
  async decode(codes: Latent[], options: BatchingOptions = {}): Promise<O[]> {
    await initEngine();
    const out: O[] = [];
    const bs = options.batchSize ?? 256;
    const progress = new BatchProgress('Decoding', codes.length, Math.ceil(codes.length / bs), options);
    for (let s = 0; s < codes.length; s += bs) {
      const decoded = tf.tidy(() => this.decodeCodes(this.codesToTensor(codes.slice(s, s + bs))));
      try {
        out.push(...(await this.toOutputs(decoded)));
      } finally {
        decoded.dispose();
      }
      progress.done(Math.min(bs, codes.length - s));
    }
    progress.end();
    return out;
  }

  /** `decode(encode(inputs))` without leaving tensor land. @throws {AbortError} when `options.signal` aborts. */
  async reconstruct(inputs: I[], options: BatchingOptions = {}): Promise<O[]> {
    await initEngine();
    const out: O[] = [];
    const bs = options.batchSize ?? 256;
    const progress = new BatchProgress('Reconstruction', inputs.length, Math.ceil(inputs.length / bs), options);
    for (let s = 0; s < inputs.length; s += bs) {
      const chunk = inputs.slice(s, s + bs);
      const decoded = tf.tidy(() => {
        const batch = this.collate(chunk);
        try {
          return this.decodeCodes(this.encodeBatch(batch, false));
        } finally {
          tf.dispose(Object.values(batch));
        }
      });
      try {
        out.push(...(await this.toOutputs(decoded)));
      } finally {
        decoded.dispose();
      }
      progress.done(chunk.length);
    }
    progress.end();
    return out;
  }

  /**
   * Trains the model in place with core's training loop.
   * @returns per-epoch losses; also stored as `this.training` and saved with the model.
   */
  async fit(data: Dataset<I> | I[], options: FitOptions<I> = {}): Promise<History> {
    await initEngine();
    const ds = asDataset(data);
    const history = await modelHost().train<I>(this, ds, options);
    const last = history.loss.length - 1;
    // A time limit may end a run before its first epoch: nothing to summarise then.
    if (last < 0) return history;
    this.training = {
      epochs: history.epochs.length,
      finalLoss: history.loss[last] ?? NaN,
      ...(history.valLoss[last] !== undefined ? { finalValLoss: history.valLoss[last] } : {}),
      seconds: Math.round(history.seconds * 100) / 100,
      ...(ds.size !== undefined ? { samples: ds.size } : {}),
      // What took the steps: 'ort' (compiled steps on onnxruntime-node) or the tfjs backend.
      backend: history.engine === 'onnxruntime' ? 'ort' : engineInfo()?.backend === 'ort' ? 'wasm' : (engineInfo()?.backend ?? tf.getBackend()),
    };
    return history;
  }

  /** Writes the model folder atomically (see core's model folder format). */
  async save(dir: string, options: SaveOptions = {}): Promise<void> {
    await modelHost().saveFolder(dir, {
      config: this.config,
      networks: this.networks,
      training: this.training,
      extraFiles: this.extraFiles(),
      ...(options.weightPrecision ? { weightPrecision: options.weightPrecision } : {}),
    });
  }

  /** @internal used by the trainer. */
  async saveCheckpoint(dir: string, extraFiles: Record<string, Uint8Array | string>): Promise<void> {
    await modelHost().saveFolder(dir, { config: this.config, networks: this.networks, training: this.training, extraFiles: { ...this.extraFiles(), ...extraFiles } });
  }

  /** @internal used by the trainer: copies a checkpoint's weights into this model. */
  async loadCheckpoint(dir: string): Promise<(name: string) => Uint8Array | undefined> {
    const folder = await modelHost().readFolder(dir, { kind: this.config.kind });
    try {
      if (JSON.stringify(folder.manifest.config) !== JSON.stringify(this.config)) {
        throw new InvalidArgumentError(`Checkpoint ${dir} was written by a model with a different config; cannot resume.`, { file: dir });
      }
      for (const [name, net] of Object.entries(this.networks)) {
        const loaded = folder.networks[name];
        if (!loaded) throw new InvalidArgumentError(`Checkpoint ${dir} has no network '${name}'.`, { file: dir });
        net.setWeights(loaded.getWeights());
      }
    } finally {
      for (const n of Object.values(folder.networks)) n.dispose();
    }
    return folder.extraFile;
  }

  /** Frees every tensor the model holds (and its compiled training steps). */
  dispose(): void {
    modelHost().releaseCompiledSteps(this);
    for (const n of Object.values(this.networks)) n.dispose();
  }

  /**
   * Reads a model folder of one of `kinds` (for a subclass's static `load`): a path in Node, a
   * URL in a page.
   * @throws {ModelMismatchError} when the folder holds another kind of model.
   */
  protected static async readFolder(dir: string, kinds: string | string[], networks?: readonly string[], options: LoadOptions = {}): Promise<LoadedModelFolder> {
    await initEngine();
    return modelHost().readFolder(dir, { kind: kinds, ...(networks ? { networks } : {}), ...(options.allowNonFinite ? { allowNonFinite: true } : {}) });
  }

  /**
   * The common body of every static `load`: reads the folder (kind and required networks
   * checked), re-validates the saved config with the model's own resolver, builds the model,
   * and disposes the loaded networks if any step throws, so a bad folder leaks nothing.
   * @param spec `kind`, the config `version` this release reads, the `networks` the model needs, and `validate`, which returns the
   *   resolved config or throws (e.g. the model's `resolveConfig`).
   * @param build makes the model from the validated config and networks; throw from it when
   *   the networks do not fit the config.
   * @param options the caller's load options (`allowNonFinite`).
   * @throws {ModelFormatError} when the saved config is invalid (naming `latentkit.json`).
   * @throws {NonFiniteWeightsError} for NaN or infinite weights, unless `allowNonFinite`.
   */
  protected static async loadFolder<M extends TfAutoencoder<any, any, any>, C extends ModelConfig>(
    dir: string,
    spec: { kind: string; version: number; networks: readonly string[]; validate(config: ModelConfig): C },
    build: (config: C, networks: Record<string, tf.LayersModel>, folder: LoadedModelFolder) => M,
    options: LoadOptions = {},
  ): Promise<M> {
    const folder = await TfAutoencoder.readFolder(dir, spec.kind, spec.networks, options);
    const file = modelHost().where(dir, MANIFEST_FILE);
    try {
      const saved = folder.manifest.config.version;
      if (saved !== spec.version) {
        throw new UnsupportedFormatVersionError(`${file}: ${spec.kind} config version ${JSON.stringify(saved)} is not supported (this release reads version ${spec.version}).`, { file });
      }
      let config: C;
      try {
        config = spec.validate(folder.manifest.config);
      } catch (e) {
        if (e instanceof ModelFormatError) throw e;
        throw new ModelFormatError(`${file}: invalid ${spec.kind} config: ${(e as Error).message}`, { file, cause: e });
      }
      const model = build(config, folder.networks, folder);
      model.training = folder.manifest.training;
      return model;
    } catch (e) {
      for (const n of Object.values(folder.networks)) n.dispose();
      throw e;
    }
  }

}

/**
 * Checks that a loaded network takes and gives the shapes a saved config implies (a folder
 * whose config and networks disagree would fail, or allocate absurdly, on first use). Model
 * classes call it from the `build` step of {@link TfAutoencoder.loadFolder}.
 * @param kind the model kind, for the message.
 * @param name the network's name in the folder.
 * @param input per-sample input shape the config implies (without the batch axis).
 * @param output per-sample shape of the first output, if it should be checked.
 * @throws {ModelFormatError} naming the network and both shapes.
 * @example
 * ```ts
 * checkNetworkShapes('vector/dense-ae', 'encoder', networks.encoder, [config.inputDim], [config.latentDim]);
 * ```
 */
export function checkNetworkShapes(kind: string, name: string, net: tf.LayersModel, input: number[], output?: number[]): void {
  const same = (a: (number | null)[], b: (number | null)[]) => a.length === b.length && a.every((d, i) => d === b[i]);
  const inShape = (net.inputs[0]?.shape ?? []) as (number | null)[];
  const outShape = (net.outputs[0]?.shape ?? []) as (number | null)[];
  if (!same(inShape, [null, ...input]) || (output && !same(outShape, [null, ...output]))) {
    throw new ModelFormatError(
      `${kind}: network '${name}' maps [${inShape.join(', ')}] -> [${outShape.join(', ')}], but the config needs [null, ${input.join(', ')}]` +
        (output ? ` -> [null, ${output.join(', ')}]` : '') + '.',
    );
  }
}
