/**
 * @file Picks the fastest engine that loads here and says which.
 *
 * Order: native TensorFlow (`@tensorflow/tfjs-node`, an optional dependency whose install
 * needs the network); then `ort`: training steps compiled to ONNX and run on onnxruntime-node
 * (an optional dependency that installs from npm alone), with tfjs-wasm for everything else
 * (encoding, decoding, validation, and any model the compiler cannot lower); then WebAssembly
 * (with the training kernels latentkit adds); then the pure-JS cpu backend.
 * `LATENTKIT_BACKEND=node|ort|wasm|cpu` forces one.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { BackendUnavailableError, EngineNotReadyError, InvalidArgumentError } from '../errors/errors.js';
import { registerWasmKernels } from '../kernels/register.js';
import { loadOrt, ortVersion } from '../ort/runtime.js';

/** Backends latentkit knows, in order of preference. */
export type BackendName = 'node' | 'ort' | 'wasm' | 'cpu';

/** What {@link initEngine} chose and why. */
export interface EngineInfo {
  /** The backend now active. */
  backend: BackendName;
  /** The tfjs name of the backend that runs layers (`tensorflow`, `wasm`, `cpu`; `wasm` under `ort`). */
  tfBackend: string;
  /**
   * What `fit` trains with: compiled ONNX steps on onnxruntime-node (backend `ort`), or tfjs.
   * A model the compiler cannot lower still trains on tfjs; its fit reports why (a progress
   * event of type `engine`, and `History.engineReason`).
   */
  training: 'onnxruntime' | 'tfjs';
  /** onnxruntime-node's version when `training` is `onnxruntime`. */
  onnxruntime?: string;
  /** Why the last `fit` that preferred onnxruntime trained on tfjs instead (one line), if one did. */
  lastFallback?: string;
  /** The last fit trained on onnxruntime, but this share of an epoch's batches on tfjs (one line). */
  lastNote?: string;
  /** Whether the choice was forced (option or `LATENTKIT_BACKEND`). */
  forced: boolean;
  /** Why each better backend was skipped. */
  skipped: { backend: BackendName; reason: string }[];
  /** tfjs version in use. */
  tfjsVersion: string;
}

/** Options of {@link initEngine}. */
export interface EngineOptions {
  /** Force a backend; overrides `LATENTKIT_BACKEND`. */
  backend?: BackendName;
}

const ORDER: BackendName[] = ['node', 'ort', 'wasm', 'cpu'];
const TF_NAME: Record<BackendName, string> = { node: 'tensorflow', ort: 'wasm', wasm: 'wasm', cpu: 'cpu' };
// A variable, not a literal, so TypeScript and bundlers do not require the optional package.
const TFJS_NODE = ['@tensorflow', 'tfjs-node'].join('/');

// A page (or Web Worker) has neither native TensorFlow nor onnxruntime-node: it starts at wasm
// (whose .wasm files the page serves; see setWasmPaths in the browser entry).
const NODE_PROCESS = (globalThis as { process?: { versions?: { node?: string }; env: Record<string, string | undefined> } }).process;
const IN_NODE = typeof NODE_PROCESS?.versions?.node === 'string';
const PAGE_ORDER: BackendName[] = ['wasm', 'cpu'];

let current: EngineInfo | undefined;
let pending: Promise<EngineInfo> | undefined;

async function tryBackend(name: BackendName): Promise<string | undefined> {
  try {
    if (name === 'node') {
      await import(TFJS_NODE);
      if (!tf.findBackend('tensorflow') && !tf.engine().registryFactory['tensorflow']) {
        return `${TFJS_NODE} loaded but registered no 'tensorflow' backend (a second copy of tfjs-core?)`;
      }
    }
    if (name === 'ort') {
      const ort = await loadOrt();
      if (typeof ort === 'string') return ort;
    }
    if (name === 'wasm' || name === 'ort') registerWasmKernels();
    const ok = await tf.setBackend(TF_NAME[name]);
    if (!ok) return `tf.setBackend('${TF_NAME[name]}') returned false`;
    await tf.ready();
    return undefined;
  } catch (e) {
    const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
    return name === 'node' ? `cannot import ${TFJS_NODE} (${msg})` : msg;
  }
}

function parseBackend(value: string, source: string): BackendName {
  const v = value.trim().toLowerCase();
  if (v === 'tensorflow') return 'node';
  if ((ORDER as string[]).includes(v)) return v as BackendName;
  throw new InvalidArgumentError(`${source}='${value}' is not a backend; use one of: ${ORDER.join(', ')}.`);
}

/**
 * Initialises tfjs once per process with the best backend that loads, and reports it.
 * Later calls return the same info (a different forced backend switches).
 *
 * @returns which backend is active and why better ones were skipped.
 * @throws {BackendUnavailableError} when a forced backend cannot load.
 * @example
 * ```ts
 * const engine = await initEngine();
 * console.log(engine.backend); // 'wasm' where tfjs-node is not installed
 * ```
 */
export function initEngine(options: EngineOptions = {}): Promise<EngineInfo> {
  const env = IN_NODE ? NODE_PROCESS?.env.LATENTKIT_BACKEND : undefined;
  const forced = options.backend ?? (env ? parseBackend(env, 'LATENTKIT_BACKEND') : undefined);
  if (current && (!forced || forced === current.backend)) return Promise.resolve(current);
  if (pending && !forced) return pending;
  pending = (async () => {
    // Production mode: no debug-time checks, and no console banner from the cpu backend.
    tf.enableProdMode();
    const skipped: EngineInfo['skipped'] = [];
    const candidates = forced ? [forced] : IN_NODE ? ORDER : PAGE_ORDER;
    for (const name of candidates) {
      const reason = await tryBackend(name);
      if (reason === undefined) {
        const onnxruntime = name === 'ort' ? await ortVersion() : undefined;
        current = {
          backend: name,
          tfBackend: TF_NAME[name],
          training: name === 'ort' ? 'onnxruntime' : 'tfjs',
          ...(onnxruntime ? { onnxruntime } : {}),
          forced: !!forced,
          skipped,
          tfjsVersion: tf.version.tfjs,
        };
        return current;
      }
      if (forced) {
        throw new BackendUnavailableError(`Backend '${name}' was requested but cannot load: ${reason}.`, {
          hint:
            name === 'node'
              ? 'Install @tensorflow/tfjs-node with network access, or unset LATENTKIT_BACKEND.'
              : name === 'ort'
                ? 'Install onnxruntime-node (see @latentkit/core README), or unset LATENTKIT_BACKEND.'
                : 'Unset LATENTKIT_BACKEND to let latentkit pick a backend that loads.',
        });
      }
      skipped.push({ backend: name, reason });
    }
    throw new BackendUnavailableError(
      `No tfjs backend could load: ${skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ')}.`,
    );
  })();
  pending.catch(() => {}).finally(() => (pending = undefined));
  return pending;
}

/**
 * Lets synchronous code allocate tensors before {@link initEngine} ran: a model's `create()`
 * builds its weights at once, and tfjs's best backend here (wasm) only initialises
 * asynchronously. When no backend is active yet, this selects tfjs's cpu backend, which starts
 * synchronously; the first async call (`fit`, `encode`, ...) then runs initEngine, and tfjs
 * moves the weights to the chosen backend on first use. Model classes call it at the top of
 * `create()`, so `Model.create(); await model.fit(...)` works without an explicit initEngine().
 * @throws {EngineNotReadyError} when initEngine() was called and has not settled yet.
 * @example
 * ```ts
 * static create(options: MyOptions) { ensureEngineSync(); return new MyModel(resolve(options), build(options)); }
 * ```
 */
export function ensureEngineSync(): void {
  if (current) return;
  const engine = tf.engine() as unknown as { backendInstance: unknown; pendingBackendInit: unknown };
  if (pending || engine.pendingBackendInit != null) {
    throw new EngineNotReadyError('A model was created while initEngine() was still choosing a backend.', {
      hint: 'await initEngine() before creating models (or create them before calling it).',
    });
  }
  if (engine.backendInstance != null) return; // the application chose a tfjs backend itself
  // setBackend runs synchronously for a backend without async init; only its promise is async.
  tf.setBackend('cpu').catch(() => {});
  // tfjs's cpu backend prints advice to install tfjs-node on first use; here it only holds the
  // weights until initEngine picks the real backend, so the advice would mislead.
  const cpu = tf.backend() as unknown as { firstUse?: boolean };
  if ('firstUse' in cpu) cpu.firstUse = false;
}

/**
 * @internal The trainer reports a fit that fell back to tfjs (undefined: the fit compiled),
 * and the share of an epoch's batches that stepped on tfjs while it trained on onnxruntime.
 */
export function noteTrainingFallback(reason: string | undefined, note?: string): void {
  if (!current) return;
  if (reason) current.lastFallback = reason;
  else delete current.lastFallback;
  if (note && !reason) current.lastNote = note;
  else delete current.lastNote;
}

/** The active engine, or undefined before {@link initEngine} resolved. */
export function engineInfo(): EngineInfo | undefined {
  return current;
}

/**
 * One line for logs, saying what trains and why better engines were skipped, e.g.
 * `backend: ort (training on onnxruntime-node 1.30.0, layers on tfjs wasm) (skipped node: cannot import @tensorflow/tfjs-node ...)`.
 */
export function describeEngine(info: EngineInfo): string {
  const why = info.skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ');
  const what = info.training === 'onnxruntime' ? ` (training on onnxruntime-node ${info.onnxruntime ?? ''}, layers on tfjs ${info.tfBackend})`.replace(' ,', ',') : '';
  const fallback = info.lastFallback ? ` (last fit trained on tfjs: ${info.lastFallback})` : info.lastNote ? ` (last fit: ${info.lastNote})` : '';
  return `backend: ${info.backend}${what}${info.forced ? ' (forced)' : ''}${why ? ` (skipped ${why})` : ''}${fallback}`;
}

export { tf };
