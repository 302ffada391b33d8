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
import { constants } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
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

// Saves in other processes can replace the manifest and sweep the generation a read started on.
// A read opens every file of its generation right after reading the manifest, so a sweep that
// comes later unlinks files the read still holds open (POSIX keeps their bytes): only a commit
// and a sweep landing within those few milliseconds make it start over on the new manifest. A
// handful of attempts is then plenty even with several writers saving in a loop.
const MAX_READ_ATTEMPTS = 8;
// Saved models list a handful of files; a hostile manifest listing thousands must not exhaust
// file descriptors. Files past this many are read by path (unpinned).
const MAX_PINNED_FILES = 64;

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
    const source = fileSource(dir);
    try {
      await source.pin(Object.keys(first.manifest.files).slice(0, MAX_PINNED_FILES));
      return await readVerifiedFolder(source, first.manifest, options);
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
    } finally {
      await source.close();
    }
  }
}

/** A folder on disk as a {@link FolderSource} that can hold its files open. @internal */
export interface FileSource extends FolderSource {
  /**
   * Opens the files `rels` at once (in parallel) and keeps them open until {@link close}: their
   * sizes and bytes then come from the open files, whatever happens to the paths meanwhile.
   * @throws the error {@link FolderSource.size} would throw for the first failing file, in order.
   */
  pin(rels: string[]): Promise<void>;
  close(): Promise<void>;
}

// O_NONBLOCK so that opening a FIFO planted in a folder returns at once (fstat then refuses
// it) instead of waiting for a writer; it changes nothing for regular files. Windows has neither.
const OPEN_FLAGS = constants.O_NONBLOCK === undefined ? constants.O_RDONLY : constants.O_RDONLY | constants.O_NONBLOCK;

/**
 * The files of a folder on disk: every path resolved under the one link policy of model folders
 * (confinedPath), stat before any read, reads bounded.
 * @internal exported for its tests.
 */
export function fileSource(dir: string): FileSource {
  const manifestFile = join(dir, MANIFEST_FILE);
  const located = new Map<string, string>();
  const pinned = new Map<string, FileHandle>();
  const locate = async (rel: string) => {
    let full = located.get(rel);
    if (full === undefined) {
      full = await confinedPath(dir, rel, manifestFile);
      located.set(rel, full);
    }
    return full;
  };
  const statError = (rel: string, e: unknown) =>
    new ModelFormatError(`${manifestFile}: cannot stat '${rel}' (${(e as NodeJS.ErrnoException).code ?? String(e)}).`, { file: join(dir, rel), cause: e });
  return {
    where: (rel) => join(dir, rel),
    async pin(rels) {
      const opened = await Promise.allSettled(
        rels.map(async (rel) => {
          const full = await locate(rel);
          const fh = await open(full, OPEN_FLAGS).catch((e: unknown) => {
            throw statError(rel, e);
          });
          pinned.set(rel, fh);
        }),
      );
      const failed = opened.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
    },
    async close() {
      const handles = [...pinned.values()];
      pinned.clear();
      await Promise.all(handles.map((fh) => fh.close().catch(() => undefined)));
    },
    async size(rel) {
      const fh = pinned.get(rel);
      const full = fh ? join(dir, rel) : await locate(rel);
      let info;
      try {
        info = await (fh ? fh.stat() : stat(full));
      } catch (e) {
        throw statError(rel, e);
      }
      if (!info.isFile()) throw new ModelFormatError(`${full} is not a regular file.`, { file: full });
      return info.size;
    },
    // The manifest's size is checked after the read (as the sha256 is): a file that grew since
    // its stat is refused as changed, not as unreadable.
    async read(rel, expectedBytes) {
      const fh = pinned.get(rel);
      if (!fh) return readBounded(await locate(rel), MAX_FILE_BYTES, 'model file');
      try {
        return await readUpTo(fh, expectedBytes + 1);
      } catch (e) {
        throw new ModelFormatError(`Cannot read model file ${join(dir, rel)} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`, { file: join(dir, rel), cause: e });
      }
    },
    sha256: async (bytes) => sha256(bytes),
  };
}

/** At most `limit` bytes from the start of an open file (fewer where it ends first). */
async function readUpTo(fh: FileHandle, limit: number): Promise<Uint8Array> {
  const buf = new Uint8Array(Math.min(limit, MAX_FILE_BYTES));
  let filled = 0;
  while (filled < buf.length) {
    const { bytesRead } = await fh.read(buf, filled, buf.length - filled, filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled === buf.length ? buf : buf.subarray(0, filled);
}

/**
 * Reads only `latentkit.json` (validated), e.g. to dispatch on `kind`.
 * @throws {ModelFormatError} (and subclasses) as {@link readModelFolder} for the manifest.
 */
export async function readManifest(dir: string): Promise<ModelManifest> {
  return (await readManifestFile(dir)).manifest;
}
