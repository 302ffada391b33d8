/**
 * @file The latentkit model folder: `latentkit.json` plus one tfjs layers-format network per
 * sub-model, each loadable by plain tfjs (`tf.loadLayersModel('.../encoder/model.json')`).
 *
 * Layout:
 * ```
 * my-model/
 *   latentkit.json                 manifest: format version, kind, config, sha256 of every file
 *   weights-<id>/encoder/model.json
 *   weights-<id>/encoder/weights.bin
 *   weights-<id>/decoder/...       one folder per network
 *   weights-<id>/<extra files>     e.g. a vocabulary, trainer state
 * ```
 *
 * Why the `weights-<id>` generation folder: `latentkit.json` is the single commit point. A save
 * writes a fresh generation folder, then atomically replaces `latentkit.json`, then removes
 * generations nobody needs (model-folder-save.ts, generations.ts). A process killed at any
 * moment leaves a folder that loads as either the old or the new model, and nothing is ever
 * written outside the folder the caller named (a temporary sibling folder would be).
 *
 * This file holds the folder's types and the reader; saving is in model-folder-save.ts and
 * building each network in network-load.ts.
 */
import { stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import {
  ChecksumMismatchError,
  LatentkitError,
  ModelChangedError,
  ModelFormatError,
  ModelMismatchError,
  UnsupportedFormatVersionError,
} from '../errors/errors.js';
import type { Json, ModelConfig } from '../model/types.js';
import { assertSafeRelativePath, confinedPath, expectField, isRecord, MANIFEST_FILE, parseJson, readBounded, sha256 } from './folder-files.js';
import { loadNetwork, MAX_WEIGHT_BYTES, planNetwork, type NetworkPlan } from './network-load.js';

export { assertSafeRelativePath, MANIFEST_FILE } from './folder-files.js';

/** How float32 weights are stored in `weights.bin`. */
export type WeightPrecision = 'float32' | 'float16';

/** Version of the folder layout this release writes and reads. */
export const MODEL_FORMAT_VERSION = 1;

const MAX_JSON_BYTES = 64 * 1024 * 1024;
// Node's readFile refuses files of 2 GiB or more; one weight file may not be larger.
const MAX_FILE_BYTES = 2 ** 31 - 1;
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
function validateManifest(raw: unknown, file: string): ModelManifest {
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
    if (assertSafeRelativePath(name, file, 'files key').split(sep).join('/') !== name) {
      throw new ModelFormatError(`${file}: files key '${name}' is not a normalised relative path.`, { file });
    }
    if (!isRecord(entry) || typeof entry.sha256 !== 'string' || typeof entry.bytes !== 'number' || !Number.isInteger(entry.bytes) || entry.bytes < 0) {
      throw new ModelFormatError(`${file}: files['${name}'] must be {sha256: string, bytes: non-negative integer}.`, { file });
    }
  }
  return raw as unknown as ModelManifest;
}

/** Reads `latentkit.json` (its bytes and parsed, validated form), refusing a link that leads out. */
async function readManifestFile(dir: string): Promise<{ bytes: Uint8Array; manifest: ModelManifest }> {
  const manifestFile = join(dir, MANIFEST_FILE);
  // The same link policy as for every file the manifest lists.
  const path = await confinedPath(dir, MANIFEST_FILE, manifestFile);
  const bytes = await readBounded(path, MAX_JSON_BYTES, 'model manifest');
  return { bytes, manifest: validateManifest(parseJson(bytes, manifestFile), manifestFile) };
}

// Saves in other processes can replace the manifest and sweep the generation a read started on;
// the read then starts over on the new manifest. Each retry needs another commit to have landed
// during one read, so a handful is plenty even with several writers saving in a loop.
const MAX_READ_ATTEMPTS = 8;

/**
 * Reads and verifies a model folder: manifest fields, format version, kind and modality,
 * path safety, the sha256 of every file, declared vs actual weight sizes, and (unless
 * `allowNonFinite`) that no weight is NaN or infinite, before any network is built. Building a
 * network never allocates more than its weight specs declare. When another process saves into
 * the folder during the read, the read starts over on the new manifest.
 * @param dir the model folder.
 * @param options expected kind, modality and networks; `manifestOnly`; `allowNonFinite`.
 * @returns the manifest, the built networks (owned by the caller) and the extra files.
 * @throws {ModelFormatError} for a missing or malformed file (message names it).
 * @throws {NonFiniteWeightsError} for a weight holding NaN or an infinity (names network and weight).
 * @throws {ChecksumMismatchError} when a file's bytes differ from the manifest.
 * @throws {ModelMismatchError} for a model of another kind or modality.
 * @throws {UnsupportedFormatVersionError} for an unknown format version.
 * @throws {PathEscapeError} for paths (or `latentkit.json` itself) that lead outside the folder.
 * @throws {ModelChangedError} when the folder kept changing over several attempts.
 */
export async function readModelFolder(dir: string, options: ReadModelFolderOptions = {}): Promise<LoadedModelFolder> {
  for (let attempt = 1; ; attempt++) {
    const first = await readManifestFile(dir);
    try {
      return await readWithManifest(dir, first.manifest, options);
    } catch (e) {
      if (!(e instanceof LatentkitError) || e instanceof ModelMismatchError) throw e;
      // Only a manifest that changed since this attempt read it explains the failure away
      // (compared as bytes: a failing load of a big manifest should not parse it twice).
      const now = await readBounded(join(dir, MANIFEST_FILE), MAX_JSON_BYTES, 'model manifest').catch(() => undefined);
      if (!now || sha256(now) === sha256(first.bytes)) throw e;
      if (attempt >= MAX_READ_ATTEMPTS) {
        throw new ModelChangedError(`${join(dir, MANIFEST_FILE)} changed during each of ${attempt} reads (other processes keep saving into ${dir}).`, {
          file: dir,
          cause: e,
          hint: 'Read it again once the saves are done.',
        });
      }
    }
  }
}

async function readWithManifest(dir: string, manifest: ModelManifest, options: ReadModelFolderOptions): Promise<LoadedModelFolder> {
  const manifestFile = join(dir, MANIFEST_FILE);
  const kinds = options.kind === undefined ? undefined : Array.isArray(options.kind) ? options.kind : [options.kind];
  if (options.modality && manifest.modality !== options.modality) {
    throw new ModelMismatchError(`${manifestFile}: this is a ${manifest.modality} model (${manifest.kind}), expected a ${options.modality} model.`, { file: manifestFile });
  }
  if (kinds && !kinds.includes(manifest.kind)) {
    throw new ModelMismatchError(`${manifestFile}: model kind is '${manifest.kind}', expected ${kinds.map((k) => `'${k}'`).join(' or ')}.`, { file: manifestFile });
  }
  const absent = (options.networks ?? []).filter((n) => !manifest.networks.includes(n));
  if (absent.length > 0) {
    throw new ModelFormatError(`${manifestFile}: field 'networks' lacks ${absent.map((n) => `'${n}'`).join(', ')}, which a ${manifest.kind} model needs.`, { file: manifestFile });
  }
  // Every path and size first (cheap): a truncated or swapped file is refused before anything is read.
  const located = new Map<string, string>();
  let total = 0;
  for (const [rel, entry] of Object.entries(manifest.files)) {
    const full = await confinedPath(dir, rel, manifestFile);
    let info;
    try {
      info = await stat(full);
    } catch (e) {
      throw new ModelFormatError(`${manifestFile}: cannot stat '${rel}' (${(e as NodeJS.ErrnoException).code ?? String(e)}).`, { file: full, cause: e });
    }
    if (!info.isFile()) throw new ModelFormatError(`${full} is not a regular file.`, { file: full });
    if (info.size !== entry.bytes) {
      throw new ChecksumMismatchError(`${full}: size is ${info.size} bytes, ${MANIFEST_FILE} records ${entry.bytes}; the file is truncated or was changed.`, { file: full });
    }
    total += entry.bytes;
    if (total > MAX_WEIGHT_BYTES) throw new ModelFormatError(`${manifestFile}: the model's files add up to more than ${MAX_WEIGHT_BYTES} bytes.`, { file: manifestFile });
    located.set(rel, full);
  }
  const verified = new Map<string, Uint8Array>();
  const verify = async (rel: string) => {
    if (verified.has(rel)) return;
    const full = located.get(rel);
    if (full === undefined) return;
    const bytes = await readBounded(full, MAX_FILE_BYTES, 'model file');
    if (bytes.length !== manifest.files[rel].bytes || sha256(bytes) !== manifest.files[rel].sha256) {
      throw new ChecksumMismatchError(`${full}: sha256 does not match ${MANIFEST_FILE}; the file is corrupt or was changed.`, { file: full });
    }
    verified.set(rel, bytes);
  };
  // Network descriptions next, so weight files they do not account for are never read.
  const plans: NetworkPlan[] = [];
  if (!options.manifestOnly) {
    for (const name of manifest.networks) {
      await verify(`${manifest.root}/${name}/model.json`);
      plans.push(planNetwork(dir, manifest.root, name, manifest, verified));
    }
  }
  for (const rel of located.keys()) await verify(rel);
  const networks: Record<string, tf.LayersModel> = {};
  try {
    for (const [i, name] of manifest.networks.entries()) {
      if (plans[i]) networks[name] = await loadNetwork(plans[i], verified, { allowNonFinite: options.allowNonFinite });
    }
  } catch (e) {
    for (const n of Object.values(networks)) n.dispose();
    throw e;
  }
  return {
    manifest,
    networks,
    extraFile: (name) => verified.get(`${manifest.root}/${assertSafeRelativePath(name, MANIFEST_FILE, 'extra file name')}`.split(sep).join('/')),
  };
}

/**
 * Reads only `latentkit.json` (validated), e.g. to dispatch on `kind`.
 * @throws {ModelFormatError} (and subclasses) as {@link readModelFolder} for the manifest.
 */
export async function readManifest(dir: string): Promise<ModelManifest> {
  return (await readManifestFile(dir)).manifest;
}
