/**
 * @file Loading one network of a model folder without trusting it: the weight specs of its
 * `model.json` are checked against the sizes the manifest records, the topology is replayed
 * on the JSON before tfjs builds it, building never allocates more values than the specs
 * hold, and the weights are checked for NaN and infinities before they are used.
 * @internal
 */
import * as tf from '@tensorflow/tfjs';
import { ModelFormatError, NonFiniteWeightsError } from '../errors/errors.js';
import { assertSafeRelativePath, expectField, isRecord, MANIFEST_FILE, normalizePosix, parseJson } from './folder-check.js';
import type { ModelManifest } from './model-manifest.js';

/** Largest total of weight bytes a model folder may hold. */
export const MAX_WEIGHT_BYTES = 4 * 1024 * 1024 * 1024;
/** Bytes per value of the dtypes tfjs stores. */
export const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1 };

export interface WeightSpecLike {
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
export interface NetworkPlan {
  /** The network's name in the manifest (`encoder`, `decoder`, ...). */
  name: string;
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
 * @param where names a file of the folder in messages (a path in Node, a URL in a page).
 */
export function planNetwork(where: (rel: string) => string, root: string, name: string, manifest: ModelManifest, verified: Map<string, Uint8Array>): NetworkPlan {
  const jsonRel = `${root}/${name}/model.json`;
  const jsonFile = where(jsonRel);
  const bytes = verified.get(jsonRel);
  if (!bytes) throw new ModelFormatError(`${MANIFEST_FILE} lists network '${name}' but not its file ${jsonRel}.`, { file: where(MANIFEST_FILE) });
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
      const key = normalizePosix(`${root}/${name}/${rel}`);
      const entry = manifest.files[key];
      if (!entry) throw new ModelFormatError(`${jsonFile}: weight file '${p}' is not a checksummed file of this model.`, { file: jsonFile });
      paths.push(key);
      found += entry.bytes;
    }
    if (found !== groupBytes) {
      throw new ModelFormatError(`${jsonFile}: weights declare ${groupBytes} bytes but the weight files hold ${found}.`, { file: jsonFile });
    }
  }
  return { name, jsonFile, topology, specs, paths, bytes: declared, elements };
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

/**
 * The first value of a float weight that is NaN or infinite, read from the stored bytes (float32,
 * or float16 by its exponent bits), so a diverged model is refused before anything is built.
 */
function firstNonFinite(specs: readonly WeightSpecLike[], all: Uint8Array): { weight: string; index: number; value: number } | undefined {
  let off = 0;
  for (const spec of specs) {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    const half = (spec as { quantization?: unknown }).quantization !== undefined;
    const per = half ? 2 : (DTYPE_BYTES[spec.dtype] ?? 4);
    if (spec.dtype === 'float32' && half) {
      const dv = new DataView(all.buffer, all.byteOffset + off, n * 2);
      for (let i = 0; i < n; i++) {
        const h = dv.getUint16(i * 2, true);
        if ((h & 0x7c00) === 0x7c00) return { weight: spec.name, index: i, value: h & 0x3ff ? NaN : h & 0x8000 ? -Infinity : Infinity };
      }
    } else if (spec.dtype === 'float32') {
      // A bool weight before this one can leave the offset unaligned for a Float32Array view.
      const values = (all.byteOffset + off) % 4 === 0 ? new Float32Array(all.buffer, all.byteOffset + off, n) : new Float32Array(all.slice(off, off + n * 4).buffer);
      for (let i = 0; i < n; i++) if (!Number.isFinite(values[i])) return { weight: spec.name, index: i, value: values[i] };
    }
    off += n * per;
  }
  return undefined;
}

/** Options of {@link loadNetwork}. */
export interface LoadNetworkOptions {
  /** Load weights holding NaN or infinities instead of refusing them. @default false */
  allowNonFinite?: boolean;
}

export async function loadNetwork(plan: NetworkPlan, verified: Map<string, Uint8Array>, options: LoadNetworkOptions = {}): Promise<tf.LayersModel> {
  const all = new Uint8Array(plan.bytes);
  let off = 0;
  for (const key of plan.paths) {
    const c = verified.get(key)!;
    all.set(c, off);
    off += c.length;
  }
  if (!options.allowNonFinite) {
    const bad = firstNonFinite(plan.specs, all);
    if (bad) {
      throw new NonFiniteWeightsError(
        `${plan.jsonFile}: weight '${bad.weight}' of network '${plan.name}' holds ${bad.value} (value ${bad.index}); every code the model gave would be NaN.`,
        plan.name,
        bad.weight,
        { file: plan.jsonFile, hint: 'The run that saved it diverged: retrain (e.g. with a lower learning rate), or load with { allowNonFinite: true } to inspect it.' },
      );
    }
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

