/**
 * @file Reading a model folder from any source of files: a folder on disk (model-folder.ts) or
 * a URL a page fetches from (url-folder.ts). Both apply the same checks in the same order:
 * kind, modality and networks, every size against the manifest, every sha256, the weight specs
 * against the file sizes, no NaN or infinite weight, and a build that never allocates more
 * values than the specs hold.
 * @internal
 */
import type * as tf from '@tensorflow/tfjs';
import { ChecksumMismatchError, ModelFormatError, ModelMismatchError } from '../errors/errors.js';
import { assertSafeRelativePath, MANIFEST_FILE } from './folder-check.js';
import { type LoadedModelFolder, type ModelManifest, type ReadModelFolderOptions } from './model-manifest.js';
import { loadNetwork, MAX_WEIGHT_BYTES, planNetwork, type NetworkPlan } from './network-load.js';

/** Where a folder's files come from. */
export interface FolderSource {
  /** Names a file of the folder in messages and errors (a path, or a URL). */
  where(rel: string): string;
  /**
   * The size of a listed file without reading it, or undefined when the source cannot tell
   * cheaply (HTTP: the read checks it instead).
   * @throws {ModelFormatError} for a missing file; {@link PathEscapeError} for one outside the folder.
   */
  size(rel: string): Promise<number | undefined>;
  /**
   * The file's bytes. `expectedBytes` is the manifest's size: a source that learns the size only
   * while reading (HTTP) refuses a larger file with {@link ChecksumMismatchError} before reading it all.
   * @throws {ModelFormatError} when the file cannot be read.
   */
  read(rel: string, expectedBytes: number): Promise<Uint8Array>;
  /** Hex sha256 of bytes (node:crypto in Node, SubtleCrypto in a page). */
  sha256(bytes: Uint8Array): Promise<string>;
}

/**
 * Verifies and loads the files `manifest` lists from `source` (see the file comment).
 * @returns the manifest, the built networks (owned by the caller) and the extra files.
 */
export async function readVerifiedFolder(source: FolderSource, manifest: ModelManifest, options: ReadModelFolderOptions): Promise<LoadedModelFolder> {
  const manifestFile = source.where(MANIFEST_FILE);
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
  let total = 0;
  for (const [rel, entry] of Object.entries(manifest.files)) {
    const size = await source.size(rel);
    if (size !== undefined && size !== entry.bytes) {
      throw new ChecksumMismatchError(`${source.where(rel)}: size is ${size} bytes, ${MANIFEST_FILE} records ${entry.bytes}; the file is truncated or was changed.`, { file: source.where(rel) });
    }
    total += entry.bytes;
    if (total > MAX_WEIGHT_BYTES) throw new ModelFormatError(`${manifestFile}: the model's files add up to more than ${MAX_WEIGHT_BYTES} bytes.`, { file: manifestFile });
  }
  const verified = new Map<string, Uint8Array>();
  const verify = async (rel: string) => {
    if (verified.has(rel)) return;
    const entry = manifest.files[rel];
    if (entry === undefined) return;
    const bytes = await source.read(rel, entry.bytes);
    if (bytes.length !== entry.bytes || (await source.sha256(bytes)) !== entry.sha256) {
      throw new ChecksumMismatchError(`${source.where(rel)}: sha256 does not match ${MANIFEST_FILE}; the file is corrupt or was changed.`, { file: source.where(rel) });
    }
    verified.set(rel, bytes);
  };
  // Network descriptions next, so weight files they do not account for are never read.
  const plans: NetworkPlan[] = [];
  if (!options.manifestOnly) {
    for (const name of manifest.networks) {
      await verify(`${manifest.root}/${name}/model.json`);
      plans.push(planNetwork((rel) => source.where(rel), manifest.root, name, manifest, verified));
    }
  }
  for (const rel of Object.keys(manifest.files)) await verify(rel);
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
    extraFile: (name) => verified.get(`${manifest.root}/${assertSafeRelativePath(name, MANIFEST_FILE, 'extra file name')}`),
  };
}
