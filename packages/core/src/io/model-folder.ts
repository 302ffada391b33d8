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
 * the old generation. A process killed at any moment leaves a folder that loads as either the
 * old or the new model, and nothing is ever written outside the folder the caller named
 * (a temporary sibling folder would be).
 */
import { createHash, randomBytes } from 'node:crypto';
import { lstat, mkdir, open, readdir, readFile, realpath, rm, stat } from 'node:fs/promises';
import { isAbsolute, join, normalize, relative, resolve, sep } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  ChecksumMismatchError,
  InvalidArgumentError,
  ModelFormatError,
  ModelMismatchError,
  PathEscapeError,
  UnsupportedFormatVersionError,
} from '../errors/errors.js';
import type { Json, ModelConfig } from '../model/types.js';
import { writeFileAtomic } from './atomic.js';

/** Version of the folder layout this release writes and reads. */
export const MODEL_FORMAT_VERSION = 1;
/** Name of the manifest file. */
export const MANIFEST_FILE = 'latentkit.json';

const MAX_JSON_BYTES = 64 * 1024 * 1024;
const MAX_WEIGHT_BYTES = 4 * 1024 * 1024 * 1024;
// Node's readFile refuses files of 2 GiB or more; one weight file may not be larger.
const MAX_FILE_BYTES = 2 ** 31 - 1;
// A saved model lists a handful of files; thousands only come from a hostile manifest.
const MAX_LISTED_FILES = 10_000;
const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1 };

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
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A relative path that stays inside its folder: no absolute paths, no `..`, no NUL. */
export function assertSafeRelativePath(path: unknown, file: string, field: string): string {
  if (typeof path !== 'string' || path.length === 0 || path.length > 1024) {
    throw new ModelFormatError(`${file}: ${field} must be a non-empty relative path string, found ${JSON.stringify(path)}.`, { file });
  }
  const norm = normalize(path);
  if (isAbsolute(path) || path.includes('\0') || path.includes('\\') || norm === '..' || norm.startsWith(`..${sep}`) || norm.split(sep).includes('..')) {
    throw new PathEscapeError(`${file}: ${field} '${path}' points outside the model folder.`, { file });
  }
  return norm;
}

/** Resolves `rel` inside `dir` and refuses symlinks that lead out of it. */
async function confinedPath(dir: string, rel: string, file: string): Promise<string> {
  const full = resolve(dir, rel);
  const realDir = await realpath(dir);
  let real: string;
  try {
    real = await realpath(full);
  } catch (e) {
    throw new ModelFormatError(`${file}: missing file '${rel}' in model folder ${dir}.`, { file: full, cause: e });
  }
  const r = relative(realDir, real);
  if (r.startsWith('..') || isAbsolute(r)) {
    throw new PathEscapeError(`${file}: '${rel}' resolves outside the model folder (symlink to ${real}).`, { file: full });
  }
  return full;
}

async function readBounded(path: string, maxBytes: number, what: string): Promise<Uint8Array> {
  let info;
  try {
    info = await stat(path);
  } catch (e) {
    throw new ModelFormatError(`Missing ${what}: ${path}.`, { file: path, cause: e });
  }
  if (!info.isFile()) throw new ModelFormatError(`${what} ${path} is not a regular file.`, { file: path });
  if (info.size > maxBytes) {
    throw new ModelFormatError(`${what} ${path} is ${info.size} bytes, more than the ${maxBytes}-byte limit.`, { file: path });
  }
  try {
    return new Uint8Array(await readFile(path));
  } catch (e) {
    throw new ModelFormatError(`Cannot read ${what} ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`, { file: path, cause: e });
  }
}

function parseJson(bytes: Uint8Array, file: string): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (e) {
    throw new ModelFormatError(`${file} is not valid JSON (${(e as Error).message}); the file may be truncated.`, { file, cause: e });
  }
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function expectField<T>(obj: Record<string, unknown>, key: string, type: string, file: string): T {
  const v = obj[key];
  const ok = type === 'array' ? Array.isArray(v) : type === 'object' ? isRecord(v) : typeof v === type;
  if (!ok) {
    throw new ModelFormatError(`${file}: field '${key}' must be ${type === 'array' || type === 'object' ? `an ${type}` : `a ${type}`}, found ${v === undefined ? 'nothing' : JSON.stringify(v)?.slice(0, 60)}.`, { file });
  }
  return v as T;
}

/** How float32 weights are stored in `weights.bin`. */
export type WeightPrecision = 'float32' | 'float16';

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
  if (entries.length > 0 && !entries.includes(MANIFEST_FILE)) {
    throw new InvalidArgumentError(
      `Refusing to save a model into ${dir}: the folder is not empty and holds no ${MANIFEST_FILE}, so it is not a latentkit model.`,
      { file: dir, hint: 'Choose a new or empty folder.' },
    );
  }
}

/**
 * Writes a model folder atomically: readers see the old model or the new one, never a mix.
 * @param dir target folder; created if missing; must be empty or an existing latentkit model.
 * @throws {InvalidArgumentError} when `dir` is a file or a non-empty folder that is not a model.
 * @throws {PathEscapeError} when `dir` is a symlink or an extra file name leaves the folder.
 */
export async function saveModelFolder(dir: string, contents: ModelFolderContents, libraryVersion = '0.1.0'): Promise<ModelManifest> {
  await assertWritableModelDir(dir);
  await mkdir(dir, { recursive: true });
  const root = `weights-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const files: ModelManifest['files'] = {};
  const put = async (rel: string, data: Uint8Array | string) => {
    const full = join(dir, root, rel);
    await mkdir(resolve(full, '..'), { recursive: true });
    await writeSynced(full, data);
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    files[`${root}/${rel}`] = { sha256: sha256(bytes), bytes: bytes.length };
  };
  const networks = Object.keys(contents.networks);
  for (const name of networks) {
    assertSafeRelativePath(name, MANIFEST_FILE, 'network name');
    const { modelJson, weights } = await networkArtifacts(contents.networks[name], contents.weightPrecision);
    await put(`${name}/weights.bin`, weights);
    await put(`${name}/model.json`, modelJson);
  }
  for (const [name, data] of Object.entries(contents.extraFiles ?? {})) {
    await put(assertSafeRelativePath(name, MANIFEST_FILE, 'extra file name'), data);
  }
  const manifest: ModelManifest = {
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
  // Sweep older generations and temp files left by interrupted saves.
  for (const entry of await readdir(dir)) {
    if ((entry.startsWith('weights-') && entry !== root) || entry.startsWith(`.${MANIFEST_FILE}.tmp-`)) {
      await rm(join(dir, entry), { recursive: true, force: true });
    }
  }
  return manifest;
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

interface WeightSpecLike {
  name: string;
  shape: number[];
  dtype: string;
}

/** Bytes one value of a weight spec takes in its file: its dtype's, or 2 for float16 storage. */
function storedBytesPerValue(spec: Record<string, unknown>, file: string): number {
  const per = DTYPE_BYTES[spec.dtype as string];
  if (per === undefined) throw new ModelFormatError(`${file}: weight '${spec.name}' has unsupported dtype '${spec.dtype}'.`, { file });
  if (spec.quantization === undefined) return per;
  // tfjs's decodeWeights expands float16 back to float32; other quantisations (affine uint8/16)
  // are a converter feature latentkit never writes.
  const q = spec.quantization;
  if (isRecord(q) && q.dtype === 'float16' && spec.dtype === 'float32' && Object.keys(q).length === 1) return 2;
  throw new ModelFormatError(`${file}: weight '${spec.name}' has quantization ${JSON.stringify(q)?.slice(0, 80)}; only {"dtype":"float16"} on float32 weights is supported.`, { file });
}

function weightBytes(spec: unknown, file: string, index: number): number {
  if (!isRecord(spec) || typeof spec.name !== 'string' || !Array.isArray(spec.shape) || typeof spec.dtype !== 'string') {
    throw new ModelFormatError(`${file}: weightsManifest weight ${index} must have name, shape and dtype.`, { file });
  }
  const per = storedBytesPerValue(spec, file);
  let n = per;
  for (const d of spec.shape) {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
      throw new ModelFormatError(`${file}: weight '${spec.name}' has an invalid shape [${spec.shape.join(', ')}].`, { file });
    }
    n *= d;
    if (n > MAX_WEIGHT_BYTES) {
      throw new ModelFormatError(`${file}: weight '${spec.name}' of shape [${spec.shape.join(', ')}] would need more than ${MAX_WEIGHT_BYTES} bytes.`, { file });
    }
  }
  return n;
}

/**
 * Refuses a functional topology whose layer calls can never all be made. tfjs rebuilds a
 * functional model by re-queueing every call whose inbound layer (or node) does not exist
 * yet until none is left, so a call naming a missing layer, a node index no layer will ever
 * have, or a cycle makes it loop forever, synchronously. This replays the same queue on the
 * JSON alone (no layer is built) and stops when a pass makes no progress. Nested models are
 * checked too.
 */
function assertGraphResolves(topology: Record<string, unknown>, file: string): void {
  const visit = (node: unknown, depth: number): void => {
    if (depth > 64 || !isRecord(node)) return;
    const config = node.config;
    if ((node.class_name === 'Model' || node.class_name === 'Functional') && isRecord(config) && Array.isArray(config.layers)) {
      checkFunctional(config.layers, file);
    }
    if (isRecord(config) && Array.isArray(config.layers)) for (const l of config.layers) visit(l, depth + 1);
    if (isRecord(node.model_config)) visit(node.model_config, depth + 1);
  };
  visit(topology, 0);
}

function checkFunctional(layers: unknown[], file: string): void {
  const nodes = new Map<string, number>();
  const pending = new Map<string, unknown[]>();
  for (const [i, l] of layers.entries()) {
    const name = isRecord(l) ? l.name ?? (isRecord(l.config) ? l.config.name : undefined) : undefined;
    if (!isRecord(l) || typeof name !== 'string') throw new ModelFormatError(`${file}: modelTopology layer ${i} has no name.`, { file });
    // tfjs queues calls by config.name but resolves inputs by name: they must agree and be unique.
    if (nodes.has(name) || (isRecord(l.config) && l.config.name !== undefined && l.config.name !== name)) {
      throw new ModelFormatError(`${file}: layer name '${name}' is repeated or differs from its config.name.`, { file });
    }
    // An InputLayer owns its one node from construction on; other layers get one per call.
    nodes.set(name, l.class_name === 'InputLayer' ? 1 : 0);
    const inbound = l.inbound_nodes ?? [];
    if (!Array.isArray(inbound)) throw new ModelFormatError(`${file}: inbound_nodes of layer '${name}' must be an array.`, { file });
    pending.set(name, [...(pending.get(name) ?? []), ...inbound]);
  }
  const ready = (call: unknown): boolean | 'empty' => {
    if (!Array.isArray(call)) return false;
    if (call.length === 0) return 'empty';
    return call.every((input) => Array.isArray(input) && typeof input[0] === 'string' && Number.isInteger(input[1]) && (nodes.get(input[0]) ?? 0) > (input[1] as number));
  };
  for (let left = [...pending.values()].reduce((s, p) => s + p.length, 0); left > 0; ) {
    let progress = false;
    for (const [name, calls] of pending) {
      const still: unknown[] = [];
      for (const call of calls) {
        const r = ready(call);
        if (r === false) still.push(call);
        else {
          progress = true;
          left--;
          if (r === true) nodes.set(name, (nodes.get(name) ?? 0) + 1);
        }
      }
      pending.set(name, still);
    }
    if (!progress) {
      const [stuck, calls] = [...pending.entries()].find(([, c]) => c.length > 0)!;
      throw new ModelFormatError(
        `${file}: layer '${stuck}' is called on ${JSON.stringify(calls[0]).slice(0, 120)}, which names a missing layer or node (or a cycle); the topology can never be built.`,
        { file },
      );
    }
  }
}

/** What one network's `model.json` declares, checked against the manifest before any weight file is read. */
interface NetworkPlan {
  jsonFile: string;
  topology: Record<string, unknown>;
  specs: WeightSpecLike[];
  /** Manifest keys of the weight files, in order. */
  paths: string[];
  /** Bytes the specs need (equal to the summed sizes of `paths`). */
  bytes: number;
  /** Values the specs hold (what building the topology may allocate). */
  elements: number;
}

/**
 * Parses a network's (verified) `model.json` and checks its weight specs against the sizes
 * the manifest records for the weight files, so a file whose size disagrees with what the
 * network needs is refused without being read.
 */
function planNetwork(dir: string, root: string, name: string, manifest: ModelManifest, verified: Map<string, Uint8Array>): NetworkPlan {
  const jsonRel = `${root}/${name}/model.json`;
  const jsonFile = join(dir, jsonRel);
  const bytes = verified.get(jsonRel);
  if (!bytes) throw new ModelFormatError(`${MANIFEST_FILE} lists network '${name}' but not its file ${jsonRel}.`, { file: join(dir, MANIFEST_FILE) });
  const raw = parseJson(bytes, jsonFile);
  if (!isRecord(raw)) throw new ModelFormatError(`${jsonFile} must hold a JSON object.`, { file: jsonFile });
  const topology = expectField<Record<string, unknown>>(raw, 'modelTopology', 'object', jsonFile);
  assertGraphResolves(topology, jsonFile);
  const groups = expectField<unknown[]>(raw, 'weightsManifest', 'array', jsonFile);
  const specs: WeightSpecLike[] = [];
  const paths: string[] = [];
  let declared = 0;
  let elements = 0;
  for (const [gi, group] of groups.entries()) {
    if (!isRecord(group) || !Array.isArray(group.paths) || !Array.isArray(group.weights)) {
      throw new ModelFormatError(`${jsonFile}: weightsManifest[${gi}] must have 'paths' and 'weights' arrays.`, { file: jsonFile });
    }
    let groupBytes = 0;
    group.weights.forEach((w, wi) => {
      const b = weightBytes(w, jsonFile, wi);
      groupBytes += b;
      elements += b / storedBytesPerValue(w as Record<string, unknown>, jsonFile);
      specs.push(w as WeightSpecLike);
    });
    declared += groupBytes;
    if (declared > MAX_WEIGHT_BYTES) throw new ModelFormatError(`${jsonFile}: weights would need more than ${MAX_WEIGHT_BYTES} bytes.`, { file: jsonFile });
    let found = 0;
    for (const p of group.paths) {
      const rel = assertSafeRelativePath(p, jsonFile, `weightsManifest[${gi}].paths`);
      const key = normalize(`${root}/${name}/${rel}`).split(sep).join('/');
      const entry = manifest.files[key];
      if (!entry) throw new ModelFormatError(`${jsonFile}: weight file '${p}' is not a checksummed file of this model.`, { file: jsonFile });
      paths.push(key);
      found += entry.bytes;
    }
    if (found !== groupBytes) {
      throw new ModelFormatError(`${jsonFile}: weights declare ${groupBytes} bytes but the weight files hold ${found}.`, { file: jsonFile });
    }
  }
  return { jsonFile, topology, specs, paths, bytes: declared, elements };
}

type AddWeight = (this: unknown, name: string, shape: number[], ...rest: unknown[]) => tf.LayerVariable;

/**
 * Builds a layers model from its topology without letting it create more weight values than
 * its weight specs hold. tfjs creates every variable while it deserialises, before it compares
 * them with the weights, so a topology edited to say `units: 1e9` or an input of 3e7 features
 * would allocate gigabytes first (and on the wasm backend grow its memory for good). Every
 * variable a legitimate model creates is one of its specs, so the specs' total is an exact
 * budget. Initialisers are replaced by zeros, as tfjs's own loader does (the weights overwrite
 * them). The patch is in place only for the synchronous deserialisation inside the call.
 */
async function buildTopology(plan: NetworkPlan): Promise<{ model?: tf.LayersModel; created: tf.LayerVariable[]; error?: unknown }> {
  const proto = tf.layers.Layer.prototype as unknown as { addWeight: AddWeight };
  const original = proto.addWeight;
  const created: tf.LayerVariable[] = [];
  let left = plan.elements;
  proto.addWeight = function (this: unknown, name: string, shape: number[], dtype?: unknown, _init?: unknown, regularizer?: unknown, trainable?: unknown, constraint?: unknown) {
    let n = 1;
    for (const d of shape) {
      if (!Number.isInteger(d) || d < 0) throw new ModelFormatError(`${plan.jsonFile}: the topology gives weight '${name}' the invalid shape [${shape.join(', ')}].`, { file: plan.jsonFile });
      n *= d;
    }
    if (n > left) {
      throw new ModelFormatError(
        `${plan.jsonFile}: the topology needs a weight '${name}' of shape [${shape.join(', ')}] (${n} values), more than the ${plan.elements} values its weight specs hold.`,
        { file: plan.jsonFile },
      );
    }
    left -= n;
    const v = original.call(this, name, shape, dtype, tf.initializers.zeros(), regularizer, trainable, constraint);
    created.push(v);
    return v;
  };
  let pending: Promise<tf.LayersModel>;
  try {
    pending = tf.models.modelFromJSON({ modelTopology: plan.topology } as unknown as Parameters<typeof tf.models.modelFromJSON>[0]);
  } catch (e) {
    return { created, error: e };
  } finally {
    proto.addWeight = original;
  }
  try {
    const model = await pending;
    // modelFromJSON deserialises before its first await; if a tfjs release changed that, the
    // budget above would not have applied, and this must fail loudly rather than silently.
    if (model.weights.length !== created.length) {
      return { model, created, error: new ModelFormatError(`${plan.jsonFile}: tfjs built ${model.weights.length} weights outside the checked build (latentkit/tfjs version mismatch).`, { file: plan.jsonFile }) };
    }
    return { model, created };
  } catch (e) {
    return { created, error: e };
  }
}

async function loadNetwork(plan: NetworkPlan, verified: Map<string, Uint8Array>): Promise<tf.LayersModel> {
  const all = new Uint8Array(plan.bytes);
  let off = 0;
  for (const key of plan.paths) {
    const c = verified.get(key)!;
    all.set(c, off);
    off += c.length;
  }
  const built = await buildTopology(plan);
  let error = built.error;
  if (built.model && error === undefined) {
    try {
      const named = tf.io.decodeWeights(all.buffer, plan.specs as tf.io.WeightsManifestEntry[]);
      try {
        built.model.loadWeights(named, true);
      } finally {
        tf.dispose(Object.values(named));
      }
      return built.model;
    } catch (e) {
      error = e;
    }
  }
  // Whatever was created before the failure would otherwise stay registered with tfjs.
  for (const v of built.created) {
    try {
      v.dispose();
    } catch {
      // already disposed
    }
  }
  if (error instanceof ModelFormatError) throw error;
  throw new ModelFormatError(`${plan.jsonFile}: tfjs could not build the network (${(error as Error)?.message?.split('\n')[0] ?? String(error)}).`, {
    file: plan.jsonFile,
    cause: error,
  });
}

/**
 * Reads and verifies a model folder: manifest fields, format version, kind and modality,
 * path safety, the sha256 of every file, and declared vs actual weight sizes, before any
 * network is built. Building a network never allocates more than its weight specs declare.
 * @throws {ModelFormatError} for a missing or malformed file (message names it).
 * @throws {ChecksumMismatchError} when a file's bytes differ from the manifest.
 * @throws {ModelMismatchError} for a model of another kind or modality.
 * @throws {UnsupportedFormatVersionError} for an unknown format version.
 * @throws {PathEscapeError} for paths that lead outside the folder.
 */
export async function readModelFolder(dir: string, options: ReadModelFolderOptions = {}): Promise<LoadedModelFolder> {
  const manifestFile = join(dir, MANIFEST_FILE);
  const manifest = validateManifest(parseJson(await readBounded(manifestFile, MAX_JSON_BYTES, 'model manifest'), manifestFile), manifestFile);
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
    for (const [i, name] of manifest.networks.entries()) if (plans[i]) networks[name] = await loadNetwork(plans[i], verified);
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

/** Reads only `latentkit.json` (validated), e.g. to dispatch on `kind`. */
export async function readManifest(dir: string): Promise<ModelManifest> {
  const file = join(dir, MANIFEST_FILE);
  return validateManifest(parseJson(await readBounded(file, MAX_JSON_BYTES, 'model manifest'), file), file);
}
