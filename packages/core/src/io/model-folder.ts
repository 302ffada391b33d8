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
 * This file holds the Node reader; the manifest's types and checks are in model-manifest.ts,
 * the checks every reader applies in folder-read.ts, saving in model-folder-save.ts, building
 * each network in network-load.ts, and the page's HTTP reader in url-folder.ts.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { LatentkitError, ModelChangedError, ModelFormatError, ModelMismatchError } from '../errors/errors.js';
import { confinedPath, MANIFEST_FILE, parseJson, readBounded, sha256 } from './folder-files.js';
import { readVerifiedFolder, type FolderSource } from './folder-read.js';
import {
  MAX_FILE_BYTES,
  MAX_JSON_BYTES,
  validateManifest,
  type LoadedModelFolder,
  type ModelManifest,
  type ReadModelFolderOptions,
} from './model-manifest.js';

export { assertSafeRelativePath, MANIFEST_FILE } from './folder-check.js';
export { MODEL_FORMAT_VERSION } from './model-manifest.js';
export type {
  WeightPrecision,
  TrainingSummary,
  ModelManifest,
  ModelFolderContents,
  LoadedModelFolder,
  ReadModelFolderOptions,
} from './model-manifest.js';

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
      return await readVerifiedFolder(fileSource(dir), first.manifest, options);
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

/**
 * The files of a folder on disk: every path resolved under the one link policy of model folders
 * (confinedPath), stat before any read, reads bounded.
 */
function fileSource(dir: string): FolderSource {
  const located = new Map<string, string>();
  const locate = async (rel: string) => {
    let full = located.get(rel);
    if (full === undefined) {
      full = await confinedPath(dir, rel, join(dir, MANIFEST_FILE));
      located.set(rel, full);
    }
    return full;
  };
  return {
    where: (rel) => join(dir, rel),
    async size(rel) {
      const full = await locate(rel);
      let info;
      try {
        info = await stat(full);
      } catch (e) {
        throw new ModelFormatError(`${join(dir, MANIFEST_FILE)}: cannot stat '${rel}' (${(e as NodeJS.ErrnoException).code ?? String(e)}).`, { file: full, cause: e });
      }
      if (!info.isFile()) throw new ModelFormatError(`${full} is not a regular file.`, { file: full });
      return info.size;
    },
    // The manifest's size is checked after the read (as the sha256 is): a file that grew since
    // its stat is refused as changed, not as unreadable.
    read: async (rel) => readBounded(await locate(rel), MAX_FILE_BYTES, 'model file'),
    sha256: async (bytes) => sha256(bytes),
  };
}

/**
 * Reads only `latentkit.json` (validated), e.g. to dispatch on `kind`.
 * @throws {ModelFormatError} (and subclasses) as {@link readModelFolder} for the manifest.
 */
export async function readManifest(dir: string): Promise<ModelManifest> {
  return (await readManifestFile(dir)).manifest;
}
