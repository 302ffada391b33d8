/**
 * @file The compiled-step cache: graphs, sessions, thread choices and split setups per model,
 * kept across fits (see {@link CacheEntry}), and their release when the model is disposed.
 */
import type * as Ort from 'onnxruntime-node';
import type { CompiledStepGraph } from './compile.js';
import { releaseSplit, type SplitSetup } from './split-step.js';
import type { ThreadChooser } from './threads.js';

/**
 * Compiled graphs and their sessions, per model (the problem object) and batch signature, so a
 * model that calls `fit` again (epoch by epoch, or in a benchmark) does not pay for the three
 * traces and the session again. A cached graph is reused only when one fresh trace of the loss
 * runs the same kernels on the same constants; its first step is verified as always.
 */
export interface CacheEntry {
  graph: CompiledStepGraph;
  signature: string;
  /** By thread count: `<n>` single-step sessions, `<n>:loop` multi-step ones (multi-step.ts). */
  sessions: Map<string, Promise<Ort.InferenceSession>>;
  /** Thread choices per `threads` setting: a later fit keeps the last probe's choice. */
  choosers: Map<string, ThreadChooser>;
  /** Split steps: the setup once made (and, once made, itself), or why this shape cannot take them. */
  split?: Promise<SplitSetup>;
  splitSetup?: SplitSetup;
  /** The split's half graph, kept when its sessions are freed between probes. */
  splitGraph?: CompiledStepGraph;
  splitFailed?: string;
  /** The first split step matched the whole-batch step (see `OrtStepRunner.splitStep` in step.ts). */
  splitVerified?: boolean;
  /** The multi-step graph (made at its first use), and whether its first run matched single steps. */
  loopModel?: Uint8Array;
  loopVerified?: boolean;
  /** Why this shape's steps run singly (its multi-step graph failed or disagreed). */
  loopFailed?: string;
}
const CACHE = new WeakMap<object, Map<string, CacheEntry>>();

/** The cache entries of a model, by batch signature and settings (made empty the first time). */
export function modelCache(problem: object): Map<string, CacheEntry> {
  let perModel = CACHE.get(problem);
  if (!perModel) CACHE.set(problem, (perModel = new Map()));
  return perModel;
}

/**
 * Frees the compiled sessions cached for a model (its native memory is not seen by the GC).
 * `TfAutoencoder.dispose()` calls it.
 */
export function releaseCompiledSteps(problem: object): void {
  const perModel = CACHE.get(problem);
  if (!perModel) return;
  for (const e of perModel.values()) {
    for (const s of e.sessions.values()) void s.then((x) => x.release()).catch(() => {});
    dropSplit(e);
  }
  CACHE.delete(problem);
}

/** Entries whose split workers are running. */
const LIVE = new Set<CacheEntry>();

/** Records that `e` has split workers (made or being made), and keeps their half graph once made. */
export function splitStarted(e: CacheEntry, setup: Promise<SplitSetup>): void {
  e.split = setup;
  LIVE.add(e);
  void setup.then(
    (s) => {
      e.splitGraph = s.compiled;
      if (e.split === setup) e.splitSetup = s;
    },
    () => undefined,
  );
}

/** Stops `e`'s split workers, if any. */
export function dropSplit(e: CacheEntry): void {
  const split = e.split;
  e.split = undefined;
  e.splitSetup = undefined;
  LIVE.delete(e);
  void split?.then(releaseSplit, () => undefined);
}

/**
 * Stops the split workers of every other entry that holds no fit's state: at most one model's
 * idle workers stay between fits. Kept, they make a model's next fit start warm (freed at
 * each fit's end, the workers' first steps ran cold and a 32-step fit of the dense AE lost its
 * whole gain: 0.71x of 1 thread against 1.45x); kept for every model, they held 260 MB each for
 * the image recipe's deep-conv model (an autoencoder kept while its denoiser trains: 1.9 GB).
 */
export function dropIdleSplits(except: CacheEntry): void {
  for (const e of [...LIVE]) if (e !== except && e.splitSetup && !e.splitSetup.held) dropSplit(e);
}

