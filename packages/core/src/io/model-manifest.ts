/**
 * @file What `latentkit.json` holds, and its validation: the part of reading a model folder that
 * needs neither a file system nor a network, shared by the Node reader (model-folder.ts) and the
 * page's HTTP reader (url-folder.ts). The folder's layout is described in model-folder.ts.
 */
import type * as tf from '@tensorflow/tfjs';
import { ModelFormatError, UnsupportedFormatVersionError } from '../errors/errors.js';
import type { ModelConfig, Json } from '../model/types.js';
import { assertSafeRelativePath, expectField, isRecord } from './folder-check.js';

/** How float32 weights are stored in `weights.bin`. */
export type WeightPrecision = 'float32' | 'float16';

/** Version of the folder layout this release writes and reads. */
export const MODEL_FORMAT_VERSION = 1;

/** Largest `latentkit.json` or network `model.json` read. */
export const MAX_JSON_BYTES = 64 * 1024 * 1024;
// Node's readFile refuses files of 2 GiB or more; one weight file may not be larger.
export const MAX_FILE_BYTES = 2 ** 31 - 1;
// A saved model lists a handful of files; thousands only come from a hostile manifest.
const MAX_LISTED_FILES = 10_000;

/** Summary of how a model was trained, kept in the manifest. */
export interface TrainingSummary {
  epochs: number;
  finalLoss: number;
  finalValLoss?: number;
  seconds: number;
  samples?: number;
  backend?: string;
  [key: string]: Json | undefined;
}

/** Contents of `latentkit.json`. */
export interface ModelManifest {
  format: 'latentkit-model';
  formatVersion: number;
  kind: string;
  modality: string;
  config: ModelConfig;
  training?: TrainingSummary;
  /** Folder (relative) holding this generation's files. */
  root: string;
  /** Network names; each is `<root>/<name>/model.json`. */
  networks: string[];
  /** Every other file, relative to the model folder, with its sha256 and size. */
  files: Record<string, { sha256: string; bytes: number }>;
  createdAt: string;
  library: { name: string; version: string };
}

/** What {@link saveModelFolder} writes. */
export interface ModelFolderContents {
  config: ModelConfig;
  networks: Record<string, tf.LayersModel>;
  training?: TrainingSummary;
  /** Extra files stored beside the networks (vocabularies, trainer state). Names are relative. */
  extraFiles?: Record<string, Uint8Array | string>;
  /**
   * `'float16'` stores float32 weights at half the size (tfjs expands them on load). Meant for
   * shipping a trained model: a value keeps ~3 significant digits, which inference tolerates
   * but resuming training from it would not notice either way. @default 'float32'
   */
  weightPrecision?: WeightPrecision;
}

/** What {@link readModelFolder} returns. Networks are loaded tfjs models owned by the caller. */
export interface LoadedModelFolder {
  manifest: ModelManifest;
  networks: Record<string, tf.LayersModel>;
  /** Verified bytes of an extra file, or undefined if the folder has none by that name. */
  extraFile(name: string): Uint8Array | undefined;
}

/** Expectations {@link readModelFolder} checks before loading anything heavy. */
export interface ReadModelFolderOptions {
  /** Refuse a model of another kind (e.g. `image/conv-ae`). */
  kind?: string | string[];
  /** Refuse a model of another modality. */
  modality?: string;
  /** Skip building tf networks (manifest and extra files only). */
  manifestOnly?: boolean;
  /**
   * Networks the caller's model needs (e.g. `['encoder', 'decoder']`): a manifest that does not
   * list each of them is refused, rather than loading into a model that fails on first use.
   * @default no requirement
   */
  networks?: readonly string[];
  /**
   * Load weights holding NaN or infinities (to inspect a diverged run) instead of refusing
   * them with {@link NonFiniteWeightsError}. @default false
   */
  allowNonFinite?: boolean;
}
/** Checks the fields of a parsed `latentkit.json`. @throws {ModelFormatError} (and subclasses) naming `file`. */
export function validateManifest(raw: unknown, file: string): ModelManifest {
  if (!isRecord(raw)) throw new ModelFormatError(`${file} must hold a JSON object.`, { file });
  if (raw.format !== 'latentkit-model') {
    throw new ModelFormatError(`${file}: field 'format' must be "latentkit-model", found ${JSON.stringify(raw.format)}.`, { file });
  }
  const version = expectField<number>(raw, 'formatVersion', 'number', file);
  if (version !== MODEL_FORMAT_VERSION) {
    throw new UnsupportedFormatVersionError(
      `${file}: format version ${version} is not supported by this release (reads version ${MODEL_FORMAT_VERSION}).`,
      { file, hint: version > MODEL_FORMAT_VERSION ? 'Upgrade latentkit.' : 'Re-save the model with this release.' },
    );
  }
  expectField<string>(raw, 'kind', 'string', file);
  expectField<string>(raw, 'modality', 'string', file);
  const config = expectField<Record<string, unknown>>(raw, 'config', 'object', file);
  if (config.kind !== raw.kind) throw new ModelFormatError(`${file}: config.kind ${JSON.stringify(config.kind)} differs from kind ${JSON.stringify(raw.kind)}.`, { file });
  assertSafeRelativePath(expectField<string>(raw, 'root', 'string', file), file, 'root');
  const networks = expectField<unknown[]>(raw, 'networks', 'array', file);
  networks.forEach((n, i) => assertSafeRelativePath(n, file, `networks[${i}]`));
  if (new Set(networks).size !== networks.length) {
    throw new ModelFormatError(`${file}: field 'networks' names a network twice (${JSON.stringify(networks).slice(0, 120)}).`, { file });
  }
  const files = expectField<Record<string, unknown>>(raw, 'files', 'object', file);
  const names = Object.keys(files);
  if (names.length > MAX_LISTED_FILES) {
    throw new ModelFormatError(`${file}: field 'files' lists ${names.length} files; at most ${MAX_LISTED_FILES} are accepted.`, { file });
  }
  for (const [name, entry] of Object.entries(files)) {
    // Only the canonical spelling: './a', 'a//b' or 'a/./b' would let one file be listed (and
    // read and hashed) thousands of times under different names.
    if (assertSafeRelativePath(name, file, 'files key') !== name) {
      throw new ModelFormatError(`${file}: files key '${name}' is not a normalised relative path.`, { file });
    }
    if (!isRecord(entry) || typeof entry.sha256 !== 'string' || typeof entry.bytes !== 'number' || !Number.isInteger(entry.bytes) || entry.bytes < 0) {
      throw new ModelFormatError(`${file}: files['${name}'] must be {sha256: string, bytes: non-negative integer}.`, { file });
    }
  }
  return raw as unknown as ModelManifest;
}

