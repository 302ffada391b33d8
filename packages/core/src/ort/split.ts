/**
 * @file Data-parallel steps on two threads ("split" mode): the two worker threads and the
 * shared memory they meet in. Each batch is cut into two equal halves of rows; each worker
 * computes the gradients of its half, then averages both halves' gradients for *its share of
 * the weights* and applies the norm, clipping and optimizer update to that share only, and the
 * two swap their shares' new weights. For a loss that is a mean over the batch's rows this is
 * the same step as the whole batch's; the step runner checks that on the first split step of
 * each compiled shape and never splits a loss that is not.
 *
 * Why it is built this way (bench/engine-threads/NOTES.md has the measurements):
 * - A second intra-op thread pays little on graphs of many small ops: each op wakes the other
 *   thread, and on this kind of machine (a VM) waking a halted vCPU is dear.
 * - onnxruntime-node runs a session synchronously on the calling thread and refuses tensors on
 *   SharedArrayBuffers, so each worker holds its own sessions and data crosses by copy (one
 *   memcpy into and one out of a SharedArrayBuffer).
 * - The threads meet through `Atomics` on that buffer, not messages: a message waits for the
 *   receiving thread's event loop. A waiting thread spins for {@link SPIN_MS} before it sleeps
 *   in `Atomics.wait`, so a hand-over inside a step does not wake a sleeping core.
 * - The update split by weights halves Adam's memory-bound passes, the part of a dense step a
 *   second thread could not speed up otherwise.
 * - Both halves run in workers, and this thread sleeps through the step: every ORT output is
 *   handed to JS as an external ArrayBuffer (megabytes per step), which drives V8's garbage
 *   collector, and in the main isolate, with the model and the data in its heap, that meant a
 *   major collection every few steps whose helper threads took a core from the step (a dense
 *   step 6.5 ms against 2.6 in a lab loop). The workers' heaps are small; their collections
 *   are short scavenges.
 *
 * Between split steps the current weights and optimizer slots live in the workers (the new
 * weights also in the shared buffer); the step runner copies them back ({@link SplitPair.store})
 * before anything else reads them, and loads them ({@link SplitPair.load}) before the first
 * split step after any other change of them.
 *
 * The workers' code is a string evaluated as a CommonJS worker: it needs nothing but
 * onnxruntime-node (imported by the path this module resolved), so it runs the same from
 * TypeScript sources (tests, tsx) and from the built package.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { SLOT_FLOOR } from '../training/slot-flush.js';
import { MAX_STEPS_PER_RUN } from './multi-step.js';
import { sessionOptions } from './runtime.js';

/** A typed region of the shared buffer. */
export interface Region {
  type: 'float32' | 'int32' | 'bool';
  /** Byte offset. */
  offset: number;
  /** Elements. */
  length: number;
}

/**
 * Indices into the control array (Int32Array): sequence numbers that a side raises when a
 * phase of command `seq` is done (`[k, k + 1]` for workers 0 and 1), and flags.
 */
export const CTL = { go: 0, cmd: 1, grad: 2, sq: 4, w: 6, done: 8, error: 10, stop: 11 } as const;
const CTL_LENGTH = 16;
/** Commands (in `CTL.cmd` when `CTL.go` is raised). */
export const CMD = { step: 1, load: 2, store: 3 } as const;
/** How long a waiting thread spins before it sleeps. */
export const SPIN_MS = 0.05;
/** No step takes this long; a wait past it means a worker is gone. */
const DEADLINE_MS = 300_000;
const ERROR_BYTES = 1024;

/**
 * What the workers are given: their graphs, the shared layout and which weights are whose.
 * Region keys: `b<k>:<input>` (worker k's half of a batch or random input), `g:<i>` (the
 * gradient of weight i from the worker that does not update it), `w:<i>` (weight i as its
 * updater left it; every weight on `load`), `s:<slot>:<i>` (optimizer slots, on `load` and
 * `store`), `x<k>` (worker k's scalars, see {@link xIndex}), `x` (the step's scalar inputs),
 * `e<k>` (worker k's error text).
 */
export interface SplitPlan {
  half: Uint8Array;
  /** Each worker's update graph (absent for an empty share). */
  update: [Uint8Array | undefined, Uint8Array | undefined];
  /** Each worker's averaging graph, when the step clips by the global norm. */
  average: [Uint8Array | undefined, Uint8Array | undefined];
  /** Frozen weights, fed to every half run. */
  fixed: Record<string, { data: Float32Array; dims: readonly number[] }>;
  /** Batch and random inputs, with the dims of their half. */
  inputs: { name: string; type: Region['type']; dims: number[] }[];
  /** Trainable weights by share: worker k updates `shares[k]`. */
  shares: [number[], number[]];
  shapes: Record<number, number[]>;
  slots: string[];
  metrics: string[];
  scalars: string[];
  clip: boolean;
  regions: Record<string, Region>;
  bytes: number;
}

/** Where a worker's scalars live in its `x<k>` region. */
export function xIndex(metrics: readonly string[]) {
  return { loss: 0, sq: 1, metric0: 2, length: 2 + metrics.length };
}

/** Lays out the shared buffer's regions (8-byte aligned). */
export function layOut(plan: Pick<SplitPlan, 'inputs' | 'shares' | 'shapes' | 'slots' | 'metrics' | 'scalars'>): { regions: Record<string, Region>; bytes: number } {
  const regions: Record<string, Region> = {};
  let offset = 0;
  const place = (key: string, type: Region['type'], length: number) => {
    regions[key] = { type, offset, length };
    offset += Math.ceil((length * (type === 'bool' ? 1 : 4)) / 8) * 8;
  };
  const size = (i: number) => plan.shapes[i].reduce((a, b) => a * b, 1);
  const all = [...plan.shares[0], ...plan.shares[1]];
  for (const k of [0, 1]) for (const t of plan.inputs) place(`b${k}:${t.name}`, t.type, t.dims.reduce((a, b) => a * b, 1));
  for (const i of all) place(`g:${i}`, 'float32', size(i));
  for (const i of all) place(`w:${i}`, 'float32', size(i));
  for (const i of all) for (const s of plan.slots) place(`s:${s}:${i}`, 'float32', size(i));
  for (const k of [0, 1]) place(`x${k}`, 'float32', xIndex(plan.metrics).length);
  place('x', 'float32', Math.max(1, plan.scalars.length));
  for (const k of [0, 1]) place(`e${k}`, 'bool', ERROR_BYTES);
  return { regions, bytes: offset };
}

/** Typed views of every region. */
export function viewsOf(buffer: SharedArrayBuffer, regions: Record<string, Region>): Record<string, Float32Array | Int32Array | Uint8Array> {
  const views: Record<string, Float32Array | Int32Array | Uint8Array> = {};
  for (const [key, r] of Object.entries(regions)) {
    views[key] = r.type === 'float32' ? new Float32Array(buffer, r.offset, r.length) : r.type === 'int32' ? new Int32Array(buffer, r.offset, r.length) : new Uint8Array(buffer, r.offset, r.length);
  }
  return views;
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { plan, me, ctl: ctlBuffer, shared, ortUrl, options, CTL, CMD, SPIN_MS, SLOT_FLOOR, FLUSH_EVERY } = workerData;
const other = 1 - me;
const ctl = new Int32Array(ctlBuffer);
const message = (e) => String((e && e.message) || e).split('\\n')[0];
const STOPPED = Symbol('stopped');
const views = {};
for (const [key, r] of Object.entries(plan.regions)) {
  views[key] = new (r.type === 'float32' ? Float32Array : r.type === 'int32' ? Int32Array : Uint8Array)(shared, r.offset, r.length);
}
const X = views['x' + me], XO = views['x' + other], XS = views.x;
const [LOSS, SQ, METRIC0] = [0, 1, 2];
const wait = (k, seq) => {
  let n = 0, t0 = 0;
  for (;;) {
    const cur = Atomics.load(ctl, k);
    if (cur >= seq) return;
    if (Atomics.load(ctl, CTL.stop) || Atomics.load(ctl, CTL.error)) throw STOPPED;
    if ((++n & 127) !== 0) continue;
    const now = performance.now();
    if (t0 === 0) t0 = now;
    else if (now - t0 > SPIN_MS) Atomics.wait(ctl, k, cur, 1000);
  }
};
const signal = (k, seq) => { Atomics.store(ctl, k, seq); Atomics.notify(ctl, k); };
const size = (i) => plan.shapes[i].reduce((a, b) => a * b, 1);
const [mine, theirs] = [plan.shares[me], plan.shares[other]];
const all = [...plan.shares[0], ...plan.shares[1]];
let ort, half, update, average;
const fixed = {}, local = {}, w = {}, next = {}, g = {}, gb = {}, avg = {}, slots = [{}, {}];
let cur = 0;
const T = (data, dims) => new ort.Tensor('float32', data, dims);
async function start() {
  ort = await import(ortUrl);
  half = await ort.InferenceSession.create(plan.half, options);
  if (plan.update[me]) update = await ort.InferenceSession.create(plan.update[me], options);
  if (plan.average[me]) average = await ort.InferenceSession.create(plan.average[me], options);
  for (const [k, v] of Object.entries(plan.fixed)) fixed[k] = T(v.data, v.dims);
  for (const t of plan.inputs) local[t.name] = new views['b0:' + t.name].constructor(views['b0:' + t.name].length);
  for (const i of all) { w[i] = new Float32Array(size(i)); g[i] = new Float32Array(size(i)); }
  for (const i of mine) {
    next[i] = new Float32Array(size(i));
    gb[i] = new Float32Array(size(i));
    if (plan.clip) avg[i] = new Float32Array(size(i));
    for (const set of slots) set[i] = plan.slots.map(() => new Float32Array(size(i)));
  }
}
async function step(seq) {
  const feeds = { ...fixed };
  for (const t of plan.inputs) { local[t.name].set(views['b' + me + ':' + t.name]); feeds[t.name] = new ort.Tensor(t.type, local[t.name], t.dims); }
  for (const i of all) feeds['w:' + i] = T(w[i], plan.shapes[i]);
  const fetches = { loss: null };
  for (const m of plan.metrics) fetches['m:' + m] = null;
  for (const i of all) fetches['g:' + i] = T(g[i], plan.shapes[i]);
  const out = await half.run(feeds, fetches);
  for (const i of theirs) views['g:' + i].set(g[i]);
  X[LOSS] = out.loss.data[0];
  plan.metrics.forEach((m, k) => (X[METRIC0 + k] = out['m:' + m].data[0]));
  signal(CTL.grad + me, seq);
  wait(CTL.grad + other, seq);
  for (const i of mine) gb[i].set(views['g:' + i]);
  const up = {}, outs = {};
  plan.scalars.forEach((s, k) => (up[s] = T(Float32Array.of(XS[k]), [])));
  for (const i of mine) {
    up['w:' + i] = T(w[i], plan.shapes[i]);
    outs['w:' + i + ':out'] = T(next[i], plan.shapes[i]);
    plan.slots.forEach((s, k) => {
      up['s:' + s + ':' + i] = T(slots[cur][i][k], plan.shapes[i]);
      outs['s:' + s + ':' + i + ':out'] = T(slots[1 - cur][i][k], plan.shapes[i]);
    });
  }
  if (plan.clip) {
    // The global norm first: each share's sum of squares, swapped.
    let sq = 0;
    if (mine.length) {
      const a = {}, o = { sumsq: null };
      for (const i of mine) { a['ga:' + i] = T(g[i], plan.shapes[i]); a['gb:' + i] = T(gb[i], plan.shapes[i]); o['g:' + i] = T(avg[i], plan.shapes[i]); }
      sq = (await average.run(a, o)).sumsq.data[0];
    }
    X[SQ] = sq;
    signal(CTL.sq + me, seq);
    wait(CTL.sq + other, seq);
    if (mine.length) {
      for (const i of mine) up['g:' + i] = T(avg[i], plan.shapes[i]);
      // The same sum in the same order on both sides: the same norm.
      up.gnorm = T(Float32Array.of(Math.sqrt(views.x0[SQ] + views.x1[SQ])), []);
      await update.run(up, outs);
    }
  } else if (mine.length) {
    for (const i of mine) { up['ga:' + i] = T(g[i], plan.shapes[i]); up['gb:' + i] = T(gb[i], plan.shapes[i]); }
    X[SQ] = (await update.run(up, { gnorm: null, ...outs })).gnorm.data[0] ** 2;
  } else X[SQ] = 0;
  if (mine.length) {
    cur = 1 - cur;
    for (const i of mine) { const t = w[i]; w[i] = next[i]; next[i] = t; views['w:' + i].set(w[i]); }
    if (seq % FLUSH_EVERY === 0) flushSlots();
  }
  signal(CTL.w + me, seq);
  wait(CTL.w + other, seq);
  for (const i of theirs) w[i].set(views['w:' + i]);
}
// Slots below SLOT_FLOOR become 0 before they decay into subnormal floats (training/slot-flush.ts).
function flushSlots() {
  for (const i of mine) for (const a of slots[cur][i]) {
    for (let j = 0; j < a.length; j++) { const x = a[j]; if (x !== 0 && x < SLOT_FLOOR && x > -SLOT_FLOOR) a[j] = 0; }
  }
}
function load() {
  for (const i of all) w[i].set(views['w:' + i]);
  for (const i of mine) plan.slots.forEach((s, k) => slots[cur][i][k].set(views['s:' + s + ':' + i]));
}
function store() {
  for (const i of mine) plan.slots.forEach((s, k) => views['s:' + s + ':' + i].set(slots[cur][i][k]));
}
function fail(e) {
  const text = views['e' + me];
  text.fill(0);
  text.set(new TextEncoder().encode(message(e)).subarray(0, text.length - 1));
  Atomics.store(ctl, CTL.error, 1 + me);
  for (let k = 0; k < ctl.length; k++) Atomics.notify(ctl, k);
}
(async () => {
  try {
    await start();
  } catch (e) {
    parentPort.postMessage({ ready: false, error: message(e) });
    return;
  }
  parentPort.postMessage({ ready: true });
  for (let seq = 1; ; seq++) {
    try {
      wait(CTL.go, seq);
      const cmd = Atomics.load(ctl, CTL.cmd);
      if (cmd === CMD.step) await step(seq);
      else if (cmd === CMD.load) load();
      else if (cmd === CMD.store) store();
      signal(CTL.done + me, seq);
    } catch (e) {
      if (e !== STOPPED) fail(e);
      // Sessions are released here, not left to the isolate's teardown: native memory the
      // process gets back (terminate() waits a moment for this).
      for (const s of [half, update, average]) if (s) await s.release().catch(() => undefined);
      parentPort.postMessage({ released: true });
      return;
    }
  }
})();
`;

let ortUrl: string | undefined;
/** File URL of onnxruntime-node's entry, as this package resolves it. */
function resolveOrt(): string {
  ortUrl ??= pathToFileURL(createRequire(import.meta.url).resolve(['onnxruntime', 'node'].join('-'))).href;
  return ortUrl;
}

function startWorker(workerData: object): Promise<Worker> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData });
    worker.once('message', (m: { ready: boolean; error?: string }) => {
      if (m.ready) {
        // It waits on the shared buffer, not on messages: it must not keep the process alive.
        worker.unref();
        resolve(worker);
      } else {
        void worker.terminate();
        reject(new Error(m.error ?? 'the split-step worker did not start'));
      }
    });
    worker.once('error', reject);
  });
}

/** The two workers of split steps and the shared memory they use with this thread. */
export class SplitPair {
  readonly views: Record<string, Float32Array | Int32Array | Uint8Array>;
  private readonly ctl: Int32Array;
  /** Sequence number of the last command sent. */
  private seq = 0;
  private stopped = false;

  private constructor(
    private readonly workers: Worker[],
    shared: SharedArrayBuffer,
    ctl: SharedArrayBuffer,
    readonly plan: SplitPlan,
  ) {
    this.views = viewsOf(shared, plan.regions);
    this.ctl = new Int32Array(ctl);
  }

  /** Starts both workers on `plan`; rejects with a worker's reason when it cannot load its graphs. */
  static async start(plan: SplitPlan): Promise<SplitPair> {
    const shared = new SharedArrayBuffer(plan.bytes);
    const ctl = new SharedArrayBuffer(CTL_LENGTH * 4);
    const common = { plan, shared, ctl, ortUrl: resolveOrt(), options: sessionOptions({ intraOp: 1, spinning: false }), CTL, CMD, SPIN_MS, SLOT_FLOOR, FLUSH_EVERY: MAX_STEPS_PER_RUN };
    const started = await Promise.allSettled([0, 1].map((me) => startWorker({ ...common, me })));
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) {
      for (const s of started) if (s.status === 'fulfilled') void s.value.terminate();
      throw (failed as PromiseRejectedResult).reason;
    }
    return new SplitPair(
      started.map((s) => (s as PromiseFulfilledResult<Worker>).value),
      shared,
      ctl,
      plan,
    );
  }

  /**
   * Runs command `cmd` in both workers and blocks this thread until both are done (spinning
   * {@link SPIN_MS}, then sleeping). A step's inputs must be in the shared buffer already.
   * @throws a worker's error, or when the workers do not answer within minutes. The pair is
   * stopped then.
   */
  run(cmd: number): void {
    const seq = this.go(cmd);
    this.wait(CTL.done, seq);
    this.wait(CTL.done + 1, seq);
  }

  /**
   * As {@link run}, but first lets the promise jobs queued on this thread run while the workers
   * work: the trainer collates the next batch then (an in-memory dataset's batches come as
   * promise jobs). It yields once, to the end of the event loop's turn, then blocks.
   * (`Atomics.waitAsync` would let the whole event loop run, but with onnxruntime running in the
   * workers it crashed the process on Node 20: a worker's session call aborted.)
   */
  async runAsync(cmd: number): Promise<void> {
    const seq = this.go(cmd);
    await new Promise((resolve) => setImmediate(resolve));
    this.wait(CTL.done, seq);
    this.wait(CTL.done + 1, seq);
  }

  private go(cmd: number): number {
    if (this.stopped) throw new Error('the split-step workers were stopped');
    const seq = ++this.seq;
    Atomics.store(this.ctl, CTL.cmd, cmd);
    Atomics.store(this.ctl, CTL.go, seq);
    Atomics.notify(this.ctl, CTL.go);
    return seq;
  }

  /** @throws a worker's error, or when the workers have not answered since `t0` for minutes. */
  private check(t0: number): void {
    const error = Atomics.load(this.ctl, CTL.error);
    if (error) {
      this.stop();
      const text = this.views[`e${error - 1}`] as Uint8Array;
      throw new Error(`a split-step worker failed: ${new TextDecoder().decode(text.subarray(0, Math.max(0, text.indexOf(0))))}`);
    }
    if (performance.now() - t0 > DEADLINE_MS) {
      this.stop();
      throw new Error('the split-step workers stopped answering');
    }
  }

  private wait(k: number, seq: number): void {
    const ctl = this.ctl;
    const t0 = performance.now();
    let n = 0;
    for (;;) {
      const cur = Atomics.load(ctl, k);
      if (cur >= seq) return;
      if ((++n & 127) !== 0) continue;
      this.check(t0);
      if (performance.now() - t0 > SPIN_MS) Atomics.wait(ctl, k, cur, 100);
    }
  }

  /** Tells the workers to stop wherever they wait (they then end). */
  stop(): void {
    this.stopped = true;
    Atomics.store(this.ctl, CTL.stop, 1);
    for (let k = 0; k < CTL_LENGTH; k++) Atomics.notify(this.ctl, k);
  }

  /** Stops the threads: each releases its sessions (given up to a second), then ends. */
  async terminate(): Promise<void> {
    this.stop();
    await Promise.all(
      this.workers.map(async (w) => {
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            resolve();
          };
          const timer = setTimeout(done, 1000);
          timer.unref();
          w.once('message', done);
          w.once('exit', done);
        });
        await w.terminate();
      }),
    );
  }
}
