/**
 * @file Data-parallel steps on two threads ("split" mode): each batch is cut into two equal
 * halves of rows; this thread computes the gradients of one half while a worker thread computes
 * the other's, then one small graph averages them and applies the norm, clipping and optimizer
 * update. For a loss that is a mean over the batch's rows this is the same step as the whole
 * batch's; the step runner checks that on the first split step of each compiled shape
 * (loss, metrics and gradient norm against the whole-batch graph) and never splits a model
 * whose loss is not such a mean.
 *
 * Why a worker thread: a second intra-op thread pays little on graphs of many small ops (see
 * threads.ts), while two halves computed at once need one hand-over per step. onnxruntime-node
 * runs a session synchronously on the calling thread and refuses tensors on SharedArrayBuffers,
 * so the worker holds its own session, and weights, half batches and gradients cross by copy
 * (transferred buffers; the copy of the weights is one memcpy per step).
 *
 * The worker's code is a string evaluated as a CommonJS worker: it needs nothing but
 * onnxruntime-node (imported by the path this module resolved), so it runs the same from
 * TypeScript sources (tests, tsx) and from the built package.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/** A tensor as it crosses to the worker. */
export interface WireTensor {
  type: 'float32' | 'int32' | 'bool';
  data: Float32Array | Int32Array | Uint8Array;
  dims: readonly number[];
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const message = (e) => String((e && e.message) || e).split('\\n')[0];
let ort, session;
const fixed = {};
const dims = {};
// Output buffers handed back by the main thread, written again by the next run.
const spare = {};
const ready = (async () => {
  ort = await import(workerData.ortUrl);
  session = await ort.InferenceSession.create(workerData.model, {
    executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential',
    graphOptimizationLevel: 'all', enableCpuMemArena: true, enableMemPattern: true, logSeverityLevel: 3,
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
  });
  for (const [k, v] of Object.entries(workerData.fixed)) fixed[k] = new ort.Tensor(v.type, v.data, v.dims);
  for (const m of session.outputMetadata) dims[m.name] = m.shape;
})();
ready.then(() => parentPort.postMessage({ ready: true }), (e) => parentPort.postMessage({ ready: false, error: message(e) }));
parentPort.on('message', async ({ id, feeds, recycle }) => {
  try {
    await ready;
    Object.assign(spare, recycle);
    const f = { ...fixed };
    for (const [k, v] of Object.entries(feeds)) f[k] = new ort.Tensor(v.type, v.data, v.dims);
    const fetches = {};
    for (const name of session.outputNames) {
      const b = spare[name];
      fetches[name] = b && b.length === dims[name].reduce((a, d) => a * d, 1) ? new ort.Tensor('float32', b, dims[name]) : null;
      delete spare[name];
    }
    const out = await session.run(f, fetches);
    const values = {};
    const inputs = {};
    const transfer = new Set();
    for (const [k, t] of Object.entries(out)) { values[k] = t.data; transfer.add(t.data.buffer); }
    // The input buffers go back too, for the next step's copies.
    for (const [k, v] of Object.entries(feeds)) { inputs[k] = v.data; transfer.add(v.data.buffer); }
    parentPort.postMessage({ id, values, inputs }, [...transfer]);
  } catch (e) {
    parentPort.postMessage({ id, error: message(e) });
  }
});
`;

let ortUrl: string | undefined;
/** File URL of onnxruntime-node's entry, as this package resolves it. */
function resolveOrt(): string {
  ortUrl ??= pathToFileURL(createRequire(import.meta.url).resolve(['onnxruntime', 'node'].join('-'))).href;
  return ortUrl;
}

/** What a run gives back: every output, and the input buffers (to be filled again). */
export interface HalfResult {
  values: Record<string, Float32Array>;
  inputs: Record<string, WireTensor['data']>;
}

interface Pending {
  resolve: (v: HalfResult) => void;
  reject: (e: Error) => void;
}

/** A worker thread holding one session of a half-batch gradient graph. */
export class HalfWorker {
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private failed: Error | undefined;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (m: { id: number; values?: Record<string, Float32Array>; inputs?: HalfResult['inputs']; error?: string }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.error !== undefined) p.reject(new Error(m.error));
      else p.resolve({ values: m.values!, inputs: m.inputs! });
    });
    const fail = (e: Error) => {
      this.failed = e;
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the split-step worker exited (code ${code})`)));
    // Training does not keep the process alive for it; a run in flight does (its promise).
    worker.unref();
  }

  /**
   * Starts a worker on a serialised graph; `fixed` are inputs that stay the same every run
   * (frozen weights). Rejects with the worker's reason when it cannot load the graph.
   */
  static start(model: Uint8Array, fixed: Record<string, WireTensor>): Promise<HalfWorker> {
    return new Promise((resolve, reject) => {
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { model, fixed, ortUrl: resolveOrt() } });
      worker.once('message', (m: { ready: boolean; error?: string }) => {
        if (m.ready) resolve(new HalfWorker(worker));
        else {
          void worker.terminate();
          reject(new Error(m.error ?? 'the split-step worker did not start'));
        }
      });
      worker.once('error', reject);
    });
  }

  /**
   * Runs the graph on `feeds`; resolves with every output and the input buffers. The buffers of
   * `feeds` and `recycle` (outputs of an earlier run, by output name, for the worker to write
   * again) are handed over: the caller must not use them until they come back. Reusing them
   * matters: fresh megabyte buffers each step cost page faults on both threads.
   */
  run(feeds: Record<string, WireTensor>, recycle: Record<string, Float32Array> = {}): Promise<HalfResult> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.nextId++;
    const transfer = new Set<ArrayBuffer>();
    for (const t of Object.values(feeds)) transfer.add(t.data.buffer as ArrayBuffer);
    for (const b of Object.values(recycle)) transfer.add(b.buffer as ArrayBuffer);
    return new Promise<HalfResult>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage({ id, feeds, recycle }, [...transfer]);
    }).finally(() => {
      if (this.pending.size === 0) this.worker.unref();
    });
  }

  /** Stops the thread. */
  terminate(): Promise<number> {
    this.failed ??= new Error('the split-step worker was stopped');
    return this.worker.terminate();
  }
}
