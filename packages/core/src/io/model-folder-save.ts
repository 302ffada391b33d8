/**
 * @file Saving a model folder: each save writes a fresh generation folder `weights-<id>/`,
 * commits it by renaming `latentkit.json` into place, then sweeps generations nobody needs.
 * Any number of processes may save into one folder at once (see generations.ts for why no
 * lock is needed): every save that returns leaves a folder that loads completely, a save
 * killed at any moment leaves the previous model loadable, and its leftovers are removed by
 * a later save. Nothing is written outside the folder the caller named.
 */
import { lstat, mkdir, open, readdir, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, LatentkitError, ModelFormatError, ModelSaveError, PathEscapeError } from '../errors/errors.js';
import { writeFileAtomic } from './atomic.js';
import { assertSafeRelativePath, MANIFEST_FILE, sha256 } from './folder-files.js';
import { claimGeneration, isSaveArtifact, sweepGenerations } from './generations.js';
import { MODEL_FORMAT_VERSION, type ModelFolderContents, type ModelManifest, type WeightPrecision } from './model-folder.js';
import { DTYPE_BYTES } from './network-load.js';

/** IEEE 754 binary16 bits of a float32 value, rounded to nearest even (overflow to ±Infinity). */
function toFloat16Bits(value: number, f32: Float32Array, u32: Uint32Array): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0); // Inf / NaN
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign; // below half the smallest subnormal
    const m = mant | 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rest = m & ((1 << shift) - 1);
    let h = m >>> shift;
    if (rest > half || (rest === half && h & 1)) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && h & 1)) h++; // may carry into the exponent: still correct
  return sign | h;
}

/** Rewrites float32 weights as float16 (`quantization: {dtype: 'float16'}`, which tfjs decodes). */
function toFloat16Weights(data: ArrayBuffer, specs: tf.io.WeightsManifestEntry[]): { data: Uint8Array; specs: tf.io.WeightsManifestEntry[] } {
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  const parts: Uint8Array[] = [];
  const out: tf.io.WeightsManifestEntry[] = [];
  let off = 0;
  for (const spec of specs) {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    const bytes = n * (DTYPE_BYTES[spec.dtype] ?? 4);
    if (spec.dtype === 'float32' && !spec.quantization) {
      const src = new Float32Array(data.slice(off, off + bytes));
      const half = new Uint16Array(n);
      for (let i = 0; i < n; i++) half[i] = toFloat16Bits(src[i], f32, u32);
      parts.push(new Uint8Array(half.buffer));
      out.push({ ...spec, quantization: { dtype: 'float16' } });
    } else {
      parts.push(new Uint8Array(data.slice(off, off + bytes)));
      out.push(spec);
    }
    off += bytes;
  }
  const joined = new Uint8Array(parts.reduce((t, p) => t + p.length, 0));
  let o = 0;
  for (const p of parts) {
    joined.set(p, o);
    o += p.length;
  }
  return { data: joined, specs: out };
}

/** Serialises one network to `model.json` + `weights.bin` bytes (tfjs layers format). */
async function networkArtifacts(model: tf.LayersModel, precision: WeightPrecision = 'float32'): Promise<{ modelJson: string; weights: Uint8Array }> {
  let captured: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      captured = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (!captured?.weightData || !captured.weightSpecs) throw new ModelFormatError('tfjs produced no weights for a network.');
  const data = tf.io.CompositeArrayBuffer.join(captured.weightData);
  const stored = precision === 'float16' ? toFloat16Weights(data, captured.weightSpecs) : { data: new Uint8Array(data), specs: captured.weightSpecs };
  const modelJson = {
    format: 'layers-model',
    generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
    convertedBy: null,
    modelTopology: captured.modelTopology,
    weightsManifest: [{ paths: ['weights.bin'], weights: stored.specs }],
  };
  return { modelJson: JSON.stringify(modelJson), weights: stored.data };
}


async function writeSynced(path: string, data: Uint8Array | string): Promise<void> {
  const fh = await open(path, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Flushes a folder's entries (the renamed manifest) to disk; not every platform can. */
async function syncDir(dir: string): Promise<void> {
  try {
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // Windows cannot open a folder for sync; the rename itself is still atomic.
  }
}

async function assertWritableModelDir(dir: string): Promise<void> {
  let info;
  try {
    info = await lstat(dir);
  } catch {
    return; // does not exist yet: fine
  }
  if (info.isSymbolicLink()) {
    throw new PathEscapeError(`Refusing to save into ${dir}: it is a symbolic link.`, { file: dir, hint: 'Pass the real folder path.' });
  }
  if (!info.isDirectory()) {
    throw new InvalidArgumentError(`Cannot save a model to ${dir}: it exists and is not a folder.`, { file: dir });
  }
  const entries = await readdir(dir);
  // Only latentkit's own entries and no manifest yet: another process's first save is under way.
  if (entries.some((e) => e !== MANIFEST_FILE && !isSaveArtifact(e)) && !entries.includes(MANIFEST_FILE)) {
    throw new InvalidArgumentError(
      `Refusing to save a model into ${dir}: the folder is not empty and holds no ${MANIFEST_FILE}, so it is not a latentkit model.`,
      { file: dir, hint: 'Choose a new or empty folder.' },
    );
  }
}

/** The generation `latentkit.json` names now, or undefined when there is no readable manifest. */
async function currentRoot(dir: string): Promise<string | undefined> {
  try {
    const root = (JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8')) as { root?: unknown }).root;
    return typeof root === 'string' ? root : undefined;
  } catch {
    return undefined;
  }
}

/** A file-system failure as a typed error (the caller never sees a bare ENOENT or ENOTEMPTY). */
function saveError(dir: string, e: unknown): LatentkitError {
  if (e instanceof LatentkitError) return e;
  const code = (e as NodeJS.ErrnoException)?.code;
  return new ModelSaveError(`Cannot save the model to ${dir}: ${code ? `${code}, ` : ''}${(e as Error)?.message ?? String(e)}.`, {
    file: dir,
    cause: e,
    hint: code === 'ENOSPC' ? 'Free some disk space.' : code === 'EACCES' || code === 'EPERM' ? 'Check the folder permissions.' : undefined,
  });
}

/**
 * Writes a model folder atomically: readers see the old model or the new one, never a mix.
 * Safe with other processes saving into the same folder at the same time (the last commit
 * wins; each save returns only after its own commit, and whichever generation is then current
 * is complete). Old generations, and those of saves that were killed, are removed.
 * @param dir target folder; created if missing; must be empty or an existing latentkit model.
 * @param contents config, networks, training summary and extra files.
 * @param libraryVersion recorded in the manifest.
 * @returns the manifest written.
 * @throws {InvalidArgumentError} when `dir` is a file or a non-empty folder that is not a model.
 * @throws {PathEscapeError} when `dir` is a symlink or an extra file name leaves the folder.
 * @throws {ModelSaveError} when the file system fails (permissions, disk full); the folder
 *   keeps its previous model.
 */
export async function saveModelFolder(dir: string, contents: ModelFolderContents, libraryVersion = '0.1.0'): Promise<ModelManifest> {
  const networks = Object.keys(contents.networks);
  networks.forEach((name) => assertSafeRelativePath(name, MANIFEST_FILE, 'network name'));
  const extras = Object.entries(contents.extraFiles ?? {}).map(([name, data]) => [assertSafeRelativePath(name, MANIFEST_FILE, 'extra file name'), data] as const);
  let generation;
  try {
    await assertWritableModelDir(dir);
    await mkdir(dir, { recursive: true });
    generation = await claimGeneration(dir);
  } catch (e) {
    throw saveError(dir, e);
  }
  const { root } = generation;
  const files: ModelManifest['files'] = {};
  const put = async (rel: string, data: Uint8Array | string) => {
    const full = join(dir, root, rel);
    await mkdir(resolve(full, '..'), { recursive: true });
    await writeSynced(full, data);
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    files[`${root}/${rel}`] = { sha256: sha256(bytes), bytes: bytes.length };
  };
  let manifest: ModelManifest;
  try {
    for (const name of networks) {
      const { modelJson, weights } = await networkArtifacts(contents.networks[name], contents.weightPrecision);
      await put(`${name}/weights.bin`, weights);
      await put(`${name}/model.json`, modelJson);
    }
    for (const [name, data] of extras) await put(name, data);
    manifest = {
      format: 'latentkit-model',
      formatVersion: MODEL_FORMAT_VERSION,
      kind: contents.config.kind,
      modality: contents.config.modality,
      config: contents.config,
      ...(contents.training ? { training: contents.training } : {}),
      root,
      networks,
      files,
      createdAt: new Date().toISOString(),
      library: { name: 'latentkit', version: libraryVersion },
    };
    // The commit point: until this rename lands, the previous manifest (and its generation) rules.
    await writeFileAtomic(join(dir, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
  } catch (e) {
    // Nothing refers to the half-written generation: remove it, then the marker (that order,
    // so a sweep never sees the folder without a marker while this process still writes).
    await rm(join(dir, root), { recursive: true, force: true }).catch(() => undefined);
    await generation.release().catch(() => undefined);
    throw saveError(dir, e);
  }
  await syncDir(dir);
  await generation.release().catch(() => undefined);
  await sweepGenerations(dir, () => currentRoot(dir));
  return manifest;
}
