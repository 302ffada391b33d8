/**
 * @file The modality descriptor: everything a front end (the CLI, the demo, the benchmarks, a
 * server) needs to handle one kind of data without naming it, in the role transformers.js
 * gives its `SUPPORTED_TASKS` table. Each modality package exports one; a fourth modality is
 * one new package and one line of registration, and no command file changes.
 *
 * Members fall in two groups. Browser-safe: `name`, `parts`, `models` (whose `load` reads a
 * folder, which a browser entry may serve over fetch), `codec` (bytes in, bytes out) and the
 * recipe/operation metadata. Node-only, kept in separate members so a browser entry can leave
 * them out: `datasets` and `embedded` read the file system, and `defaultModel`/`pretrained`
 * may read model folders from disk.
 */
import type { ModelClass } from '../model/registry.js';
import type { Autoencoder, Encoder, ModelConfig } from '../model/types.js';
import type { DatasetLayout, EmbeddedData } from './datasets.js';
import type { ModalityOperation } from './operations.js';
import type { TrainingCheck } from './collapse.js';
import type { Recipe } from './recipes.js';
import type { ModalityShowcase } from './showcase.js';

/** One file's worth of output: bytes and how to name and serve them. */
export interface EncodedFile {
  bytes: Uint8Array;
  /** With the dot, e.g. `.png`. */
  extension: string;
  /** e.g. `image/png`. */
  mediaType: string;
}

/**
 * Limits on one decoded input, for untrusted bytes (a server's uploads). A codec enforces the
 * ones that apply to it, from the header where it can (before decoding samples), and refuses
 * an input past one with an `InputLimitError` naming the limit; others it ignores.
 */
export interface InputLimits {
  /** Most pixels (width x height) of an image, checked from its header. */
  maxPixels?: number;
  /** Most seconds of a clip, checked from its header. */
  maxSeconds?: number;
  /** Most characters (code points) of one text sample (a sentence). */
  maxChars?: number;
}

/** Options of {@link ModalityCodec.decode}. */
export interface DecodeInputOptions {
  /** The model the samples are for (an image is resized to its input shape). */
  config?: ModelConfig;
  /** Where the bytes came from, for error messages. */
  name?: string;
  /** Limits on the input; absent: the codec's own defaults (which are generous, for local files). */
  limits?: InputLimits;
}

/** A labelled row of an overview figure (e.g. `input` above `reconstruction`). */
export interface OverviewRow<T> {
  label: string;
  items: readonly T[];
}

/**
 * Bytes in, samples; outputs, bytes out. No file system: a browser entry or a server
 * implements the same contract over uploads and responses.
 */
export interface ModalityCodec<S, O> {
  /** What one input is called in messages: `image`, `WAV`, `sentence`. */
  noun: string;
  /** Extensions (lower-case, with the dot) a folder of inputs is searched for. */
  extensions: readonly string[];
  /**
   * `file`: every input file is one sample (folders are expanded). `line`: a text file holds
   * one sample per non-blank line, and all outputs go to one file, a line each.
   */
  unit: 'file' | 'line';
  /** Largest input file accepted, in bytes. @default 268435456 (256 MiB) */
  maxInputBytes?: number;
  /**
   * Decodes one input file's bytes.
   * @returns one sample (`file` unit) or one per non-blank line (`line` unit).
   * @throws {DecodeError} / {UnsupportedFormatError} / {InputTooLargeError} / {EmptyInputError} naming `options.name`;
   *   {InputLimitError} past one of `options.limits`.
   */
  decode(bytes: Uint8Array, options?: DecodeInputOptions): Promise<S[]>;
  /**
   * Encodes outputs as files: one file per output (`file` unit), or a single file holding
   * every output (`line` unit).
   */
  encode(outputs: readonly O[]): Promise<EncodedFile[]>;
  /** One figure of labelled rows (inputs, outputs) side by side, e.g. a PNG grid. */
  overview?(rows: readonly OverviewRow<S | O>[]): Promise<EncodedFile>;
  /** How far an output is from its input, e.g. the mean squared pixel error. */
  distance?: { name: string; between(input: S, output: O): number };
  /** Whether printing outputs as text lines makes sense (sentences do; images do not). */
  printable?: boolean;
}

/** A named sub-code of this modality's latents (`--part` in the CLI). */
export interface PartSpec {
  /** The name users give, e.g. `speaker`. */
  name: string;
  /** The key in a latent's `parts` holding it, e.g. `contentPooled`. */
  latentPart: string;
  /** One line: what it captures and when to use it. */
  describe: string;
}

/** An encoder that is not an autoencoder of this package (e.g. a pretrained transformer). */
export interface PretrainedEncoder<S> extends Encoder<S> {
  dispose(): void | Promise<void>;
}

/**
 * One modality, as the CLI, demo, benchmarks and servers see it.
 * @typeParam S what the models encode (an image, a clip, a sentence).
 * @typeParam O what they decode to (usually the same type).
 * @example
 * ```ts
 * import { registerModality, getModality } from '@latentkit/core';
 * import { modality as image } from '@latentkit/image';
 * registerModality(image);
 * const [sample] = await getModality('image')!.codec.decode(pngBytes, { config: model.config });
 * ```
 */
export interface ModalityDescriptor<S = any, O = S> {
  /** The modality's name: the `modality` of its models' configs and latents, e.g. `image`. */
  name: string;
  /** One line for `--help`. */
  describe: string;
  /** The npm package that exports it (what `loadModel` imports to find its kinds). */
  packageName: string;
  /** Model classes by kind, for `loadModel(dir)`. */
  models: readonly ModelClass[];
  /** Named parts of its latents (empty when a code has none). */
  parts: readonly PartSpec[];
  /**
   * The part `encode` writes when none is asked for, given the loaded model (e.g. the part a
   * text model names for comparing sentences); absent or undefined: the whole code.
   */
  defaultPart?(model: Autoencoder<S, O, ModelConfig>): string | undefined;
  codec: ModalityCodec<S, O>;
  /**
   * Why rows of a `[n, d]` code file cannot be decoded by its models, if they cannot (a speech
   * model needs a content code over time); absent: `decode` accepts such rows.
   */
  rowDecoding?: string;
  /** Samples per `encode` call when encoding many inputs. @default 256 */
  encodeBatchSize?: number;
  /** Training recipes; the first is the default. */
  recipes: readonly Recipe<S, O>[];
  /**
   * The collapse check of this modality's models (core's `collapseCheck` on its samples as
   * vectors): `latentkit train` runs it after training and prints the verdict, `--strict` fails
   * on `collapsed`, and the demo reports it. Absent: no check is run.
   */
  trainingCheck?: TrainingCheck<S, O>;
  /** Node-only: dataset layouts `train --data` recognises, most specific first. */
  datasets: readonly DatasetLayout<S>[];
  /** Node-only: data the modality makes itself, used when no data is given. */
  embedded?: EmbeddedData<S>;
  /** Node-only: the model `encode` uses when none is given (e.g. a shipped sentence model). */
  defaultModel?: {
    describe: string;
    load(): Promise<Autoencoder<S, O, ModelConfig>>;
    /** Its folder, when it is one: the CLI counts it as an input, so no output may land in it. */
    path?: string;
  };
  /** Node-only: encoders by name (`encode --pretrained <name>`). */
  pretrained?: { describe: string; load(name: string): Promise<PretrainedEncoder<S>> };
  /** Tasks beyond encode/decode/reconstruct, offered as commands. */
  operations?: readonly ModalityOperation[];
  /** Its part of `latentkit demo`. */
  showcase?: ModalityShowcase;
  /**
   * `[command line, what it does]` pairs per generic command, for `--help` (`$0` stands for
   * the program), e.g. `{ encode: [['$0 encode image --model m --in digits/ --out d.npy', '...']] }`.
   */
  examples?: Partial<Record<'train' | 'encode' | 'decode' | 'reconstruct', readonly (readonly [string, string])[]>>;
}
