/**
 * @file The contract every latentkit model speaks, whatever its modality.
 */
import type { Latent, Modality } from '../latent/latent.js';
import type { Dataset } from '../training/dataset.js';
import type { FitOptions, History } from '../training/types.js';
import type { WeightPrecision } from '../io/model-manifest.js';

/** JSON-safe values: what a config may hold so it can be saved with the weights. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/**
 * The resolved, JSON-safe configuration of a model, saved in `latentkit.json`.
 * `kind` names the model class in the registry (e.g. `image/conv-ae`); `version` is the
 * config schema version of that kind.
 */
export interface ModelConfig {
  kind: string;
  version: number;
  modality: Modality;
  [key: string]: Json | undefined;
}

/** Turns inputs into codes. */
export interface Encoder<I> {
  /** Encodes each input into one {@link Latent}, in input order. */
  encode(inputs: I[]): Promise<Latent[]>;
}

/** Turns codes back into outputs. */
export interface Decoder<O> {
  /** Decodes each code into one output, in order. */
  decode(codes: Latent[]): Promise<O[]>;
}

/** Options of {@link Autoencoder.save}. */
export interface SaveOptions {
  /**
   * `'float16'` halves the weight files (for shipping a trained model); tfjs expands the
   * values to float32 on load. @default 'float32'
   */
  weightPrecision?: WeightPrecision;
}

/** Options of every model class's static `load(dir, options)`. */
export interface LoadOptions {
  /**
   * Load a model whose weights hold NaN or infinities (to inspect a diverged run) instead of
   * refusing it with `NonFiniteWeightsError`. Its codes will be NaN. @default false
   */
  allowNonFinite?: boolean;
}

/**
 * An encoder and decoder trained together (pythae's `BaseAE`): a config object, `fit`,
 * `encode`, `decode`, `reconstruct`, `save`; each class adds a static `load(dir)`.
 */
export interface Autoencoder<I, O = I, C extends ModelConfig = ModelConfig> extends Encoder<I>, Decoder<O> {
  readonly config: C;
  /** `decode(encode(inputs))`, usually without leaving tensor land. */
  reconstruct(inputs: I[]): Promise<O[]>;
  /** Trains in place and returns per-epoch losses. */
  fit(data: Dataset<I> | I[], options?: FitOptions): Promise<History>;
  /** Writes the model folder atomically. */
  save(dir: string, options?: SaveOptions): Promise<void>;
  /** Releases the model's tensors. */
  dispose(): void;
}
