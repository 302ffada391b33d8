/**
 * @file Operations: what a modality can do beyond encode/decode/reconstruct (convert a voice,
 * denoise an image). A modality contributes them as data; the CLI offers each as a command
 * and a server could offer each as a route, so neither names the modality. The host supplies
 * the I/O (confined output folders, model loading, input reading) through
 * {@link OperationContext}, so an operation never decides where files may go.
 */
import type { Autoencoder, ModelConfig } from '../model/types.js';
import type { SettingSpec, Settings } from './settings.js';

/** A folder the host lets an operation write into (the CLI confines it to `--out`). */
export interface OutputSink {
  /** How to show the folder in messages. */
  readonly display: string;
  /**
   * Writes one file atomically, at a name relative to the folder.
   * @returns the path written, for messages.
   * @throws {PathEscapeError} for a name that leaves the folder.
   */
  write(name: string, data: Uint8Array | string): Promise<string>;
}

/** One output file the host opened for an operation. */
export interface OutputFileSink {
  /** The file name (last path segment). */
  readonly name: string;
  /** Writes the file atomically; returns the path written. */
  write(data: Uint8Array | string): Promise<string>;
}

/** Inputs read for a model, with the name of each (its file, or file and line). */
export interface ReadInputs<S> {
  samples: S[];
  /** One per sample: where it came from (used to name outputs). */
  names: string[];
  /** The files read (never written to). */
  files: string[];
}

/** What the host gives an operation to work with. */
export interface OperationContext {
  /**
   * Loads a model folder of this modality.
   * @throws {ModelNotFoundError} / {ModelMismatchError} / {ModelFormatError}.
   */
  loadModel(dir: string): Promise<Autoencoder<any, any, ModelConfig>>;
  /** Reads input files and folders as samples for `config`'s model (e.g. resized to its input). */
  readInputs(paths: readonly string[], config?: ModelConfig): Promise<ReadInputs<any>>;
  /** Opens an output folder (created; confined by the host). `inputs` are never overwritten. */
  openOutputDir(path: string, inputs: readonly string[]): Promise<OutputSink>;
  /** Opens one output file (confined by the host). */
  openOutputFile(path: string, inputs: readonly string[]): Promise<OutputFileSink>;
  /** A result line (stdout in the CLI). */
  print(line: string): void;
  /** A status line (stderr in the CLI; silenced by `--quiet`). */
  log(line: string): void;
}

/**
 * A task a modality offers beyond encode/decode/reconstruct.
 * @example
 * ```ts
 * // In the CLI: `latentkit convert-voice --model m --source a.wav --target b.wav --out c.wav`
 * const op = audioModality.operations!.find((o) => o.name === 'convert-voice')!;
 * ```
 */
export interface ModalityOperation {
  /** kebab-case name: the CLI command, e.g. `convert-voice`. */
  name: string;
  /** One line for `--help`. */
  describe: string;
  /** Its options (`--<name>` in the CLI); mark the ones it cannot run without `required`. */
  options: readonly SettingSpec[];
  /** `[command line, what it does]` pairs for `--help`; `$0` stands for the program. */
  examples?: readonly (readonly [string, string])[];
  /**
   * Runs it.
   * @param settings the options, checked against {@link options} with defaults filled in.
   * @param ctx the host's I/O.
   */
  run(settings: Settings, ctx: OperationContext): Promise<void>;
}

/**
 * A safe output file name for input `i`: its zero-padded index and its stem (characters
 * outside `[A-Za-z0-9._-]` replaced), so names sort in input order and never collide.
 * @param i input index.
 * @param source the input's name (a path, or any label).
 * @param extension with the dot, e.g. `.png`.
 * @param width digits of the index. @default 4
 * @example
 * ```ts
 * outputFileName(3, 'photos/My Cat.jpg', '.png'); // '0003-My_Cat.png'
 * ```
 */
export function outputFileName(i: number, source: string, extension: string, width = 4): string {
  const base = source.split(/[\\/]/).pop() ?? '';
  const dot = base.lastIndexOf('.');
  const stem = (dot > 0 ? base.slice(0, dot) : base).replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '').slice(0, 80) || 'item';
  return `${String(i).padStart(width, '0')}-${stem}${extension}`;
}
