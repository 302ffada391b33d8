/**
 * @file Feeds corpus inputs to every loader that reads them and classifies each call:
 * a typed latentkit error (by code), a success, an untyped error, a timeout, or a crash.
 *
 * Two layers:
 * - {@link runInputs} calls the loaders in this process, each raced against a timeout, and
 *   checks tfjs tensor counts around model loads;
 * - {@link runCorpusInChild} runs the whole corpus in a child process (fuzz/child.ts) and
 *   watches it: a native abort or OOM kill becomes a `crash` of the input in flight, a
 *   synchronous hang (which no Promise.race can interrupt) a `timeout`, and the child is
 *   restarted after that input. RSS is measured in the child (peak after warm-up).
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import * as core from '@latentkit/core';
import * as audio from '@latentkit/audio';
import * as image from '@latentkit/image';
import * as text from '@latentkit/text';
import { MODEL_SEEDS, modelClassOf, type FileInput, type FolderInput, type FuzzInput, type FuzzTarget } from './corpus.js';
import { materialise } from './model-folders.js';

/** How one loader call ended. */
export type OutcomeKind = 'success' | 'typed' | 'untyped' | 'timeout' | 'crash';

/** One loader call. */
export interface CallResult {
  /** Corpus index and id of the input. */
  index: number;
  input: string;
  loader: string;
  /** `success`, `typed:<code>`, `untyped`, `timeout` or `crash`. */
  outcome: string;
  ms: number;
  /** Error class and first message line (untyped, typed) or the signal (crash). */
  detail?: string;
  /** tfjs tensors left behind by a model load after disposing what it returned. */
  leakedTensors?: number;
}

/** A loader the harness can call. */
export interface Loader {
  name: string;
  /** Whether this loader reads the input. */
  accepts(input: FuzzInput): boolean;
  /** `path` is the materialised file or folder. Returns something to dispose, if any. */
  call(input: FuzzInput, path: string): Promise<unknown>;
}

/** Per-call time limit (ms). */
export const CALL_TIMEOUT_MS = 1000;

function isFile(i: FuzzInput): i is FileInput {
  return i.target === 'wav' || i.target === 'image' || i.target === 'idx';
}
/** File inputs with a special path (missing, FIFO, ...) only make sense to path loaders. */
function bytesOk(i: FuzzInput): i is FileInput {
  return isFile(i) && i.path === undefined;
}
function dispose(x: unknown): void {
  const d = x as { dispose?: () => void; networks?: Record<string, { dispose(): void }> } | undefined;
  if (typeof d?.dispose === 'function') d.dispose();
  else if (d?.networks) for (const n of Object.values(d.networks)) n.dispose();
}

/** Marks an error as coming from the encode probe after a successful load (same class kept). */
function annotate(e: unknown): unknown {
  try {
    if (e instanceof Error) e.message = `loaded, then encode threw: ${e.message}`;
  } catch {
    // a read-only message: keep it as it is
  }
  return e;
}

/** Every loader, including each exported model class's `load`. */
export function loaders(): Loader[] {
  const list: Loader[] = [
    { name: 'readWav(bytes)', accepts: (i) => i.target === 'wav' && bytesOk(i), call: (i) => audio.readWav((i as FileInput).bytes) },
    { name: 'readWav(path)', accepts: (i) => i.target === 'wav', call: (_, p) => audio.readWav(p, { sampleRate: 16000, trimSilence: true }) },
    { name: 'readImage(bytes)', accepts: (i) => i.target === 'image' && bytesOk(i), call: (i) => image.readImage((i as FileInput).bytes) },
    { name: 'readImage(path)', accepts: (i) => i.target === 'image', call: (_, p) => image.readImage(p, { width: 28, height: 28, channels: 1 }) },
    { name: 'decodeIdx', accepts: (i) => i.target === 'idx' && bytesOk(i), call: async (i) => image.decodeIdx((i as FileInput).bytes, (i as FileInput).name) },
    { name: 'readIdx(path)', accepts: (i) => i.target === 'idx', call: (_, p) => image.readIdx(p) },
    { name: 'loadMnist', accepts: (i) => i.target === 'mnist', call: (_, p) => image.loadMnist(p, 'test') },
    { name: 'readModelFolder', accepts: (i) => i.target === 'model', call: (_, p) => core.readModelFolder(p) },
  ];
  const Encoder = (text as Record<string, unknown>).SentenceEncoder as
    | { load(p: string, o: { localOnly: boolean }): Promise<{ encode(t: string[]): Promise<unknown>; dispose(): Promise<void> | void }> }
    | undefined;
  if (Encoder) {
    list.push({
      name: 'SentenceEncoder.load',
      accepts: (i) => i.target === 'pretrained',
      call: async (_, p) => {
        const enc = await Encoder.load(p, { localOnly: true });
        try {
          await enc.encode(['hello world']);
        } catch (e) {
          throw annotate(e);
        } finally {
          await enc.dispose();
        }
      },
    });
  }
  for (const spec of MODEL_SEEDS) {
    const cls = modelClassOf(spec);
    if (!cls) continue;
    list.push({
      name: `${spec.className}.load`,
      accepts: (i) => i.target === 'model' && (i as FolderInput).modelClass === spec.className,
      // A load only counts as a success if the model then encodes a valid input (or refuses
      // it with a typed error): accepting a config that contradicts the networks is a bug.
      call: async (_, p) => {
        const model = await cls.load(p);
        try {
          await model.encode(spec.probe());
        } catch (e) {
          throw annotate(e);
        } finally {
          model.dispose();
        }
      },
    });
  }
  return list;
}

/** Writes an input where a loader can read it; returns the path. */
async function place(input: FuzzInput, work: string): Promise<string> {
  await mkdir(work, { recursive: true });
  if (!isFile(input)) return materialise(input.image, work);
  const p = join(work, input.name);
  switch (input.path ?? 'file') {
    case 'file':
      await writeFile(p, input.bytes);
      break;
    case 'missing':
      break;
    case 'directory':
      await mkdir(p);
      break;
    case 'fifo':
      execFileSync('mkfifo', [p]);
      break;
    case 'dev-zero':
      await symlink('/dev/zero', p);
      break;
    case 'dangling-symlink':
      await symlink(join(work, 'gone'), p);
      break;
  }
  return p;
}

function classify(e: unknown): { outcome: string; detail: string } {
  const line = (e instanceof Error ? e.message : String(e)).split('\n')[0].slice(0, 300);
  if (e instanceof core.LatentkitError) return { outcome: `typed:${e.code}`, detail: `${e.name}: ${line}` };
  return { outcome: 'untyped', detail: `${e instanceof Error ? e.constructor.name : typeof e}: ${line}` };
}

/** Calls one loader with a timeout; never throws. */
async function callOne(loader: Loader, input: FuzzInput, path: string, timeoutMs: number): Promise<Omit<CallResult, 'index' | 'input' | 'loader'>> {
  const tfm = input.target === 'model';
  const before = tfm ? core.tf.memory().numTensors : 0;
  const t0 = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const pending = Promise.resolve().then(() => loader.call(input, path));
  const timeout = new Promise<'timeout'>((res) => (timer = setTimeout(() => res('timeout'), timeoutMs)));
  let result: Omit<CallResult, 'index' | 'input' | 'loader'>;
  try {
    const value = await Promise.race([pending, timeout]);
    const ms = performance.now() - t0;
    if (value === 'timeout') {
      // The call goes on in the background; whatever it returns later is disposed.
      pending.then(dispose, () => {});
      result = { outcome: 'timeout', ms, detail: `no result after ${timeoutMs} ms` };
    } else {
      dispose(value);
      result = ms > timeoutMs ? { outcome: 'timeout', ms, detail: `returned after ${ms.toFixed(0)} ms` } : { outcome: 'success', ms };
    }
  } catch (e) {
    const ms = performance.now() - t0;
    const c = classify(e);
    // A synchronous loader cannot be interrupted; it still fails the time limit.
    result = ms > timeoutMs ? { outcome: 'timeout', ms, detail: `threw after ${ms.toFixed(0)} ms: ${c.detail}` } : { ...c, ms };
  } finally {
    clearTimeout(timer);
  }
  if (tfm && result.outcome !== 'timeout') {
    const leaked = core.tf.memory().numTensors - before;
    if (leaked !== 0) result.leakedTensors = leaked;
  }
  return result;
}

/** Options of {@link runInputs}. */
export interface RunOptions {
  /** Scratch folder for materialised inputs. */
  workDir: string;
  /** @default {@link CALL_TIMEOUT_MS} */
  timeoutMs?: number;
  /** Index of the first input to run. @default 0 */
  start?: number;
  /** Called before each input (the child announces it, so a crash can be pinned on it). */
  onInput?(index: number): void;
  /** Called after each loader call. */
  onResult?(r: CallResult): void;
}

/**
 * Runs inputs through every loader that accepts them, in this process.
 * @returns one result per (input, loader) call.
 */
export async function runInputs(inputs: FuzzInput[], options: RunOptions): Promise<CallResult[]> {
  await core.initEngine();
  const all = loaders();
  const out: CallResult[] = [];
  for (let index = options.start ?? 0; index < inputs.length; index++) {
    const input = inputs[index];
    options.onInput?.(index);
    const work = join(options.workDir, `in-${index}`);
    try {
      const path = await place(input, work);
      for (const loader of all.filter((l) => l.accepts(input))) {
        const r: CallResult = { index, input: input.id, loader: loader.name, ...(await callOne(loader, input, path, options.timeoutMs ?? CALL_TIMEOUT_MS)) };
        out.push(r);
        options.onResult?.(r);
      }
    } finally {
      await rm(work, { recursive: true, force: true }).catch(() => {});
    }
  }
  return out;
}

// ---------------------------------------------------------------------------- memory

/** Current resident set size in MB. */
export function rssMb(): number {
  return process.memoryUsage().rss / 2 ** 20;
}

/** Peak RSS (VmHWM) of this process in MB. */
export function peakRssMb(): number {
  try {
    const m = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) / 1024;
  } catch {
    /* not Linux */
  }
  return rssMb();
}

/** Resets the peak RSS counter (Linux); returns false where it cannot. */
export function resetPeakRss(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------- summary

/** Counts of a run, the JSON the bench suite writes. */
export interface FuzzSummary {
  inputs: number;
  calls: number;
  by_outcome: Record<string, number>;
  by_loader: Record<string, Record<string, number>>;
  by_target: Record<string, number>;
  max_ms: number;
  /** Peak RSS after warm-up minus RSS after warm-up (MB), worst over child runs. */
  rss_growth_mb: number;
  /** RSS at the end (after GC) minus RSS after warm-up (MB). */
  rss_end_growth_mb: number;
  /** Calls that left tfjs tensors behind. */
  tensor_leaks: number;
  /** Untyped errors, timeouts, crashes and tensor leaks, with the mutation that caused each. */
  failures: (CallResult & { target: FuzzTarget; seed: string; mutation: string })[];
  /** Model seeds not exercised (class not exported yet). */
  skipped_models: { name: string; reason: string }[];
  child_restarts: number;
  seconds: number;
}

/** Whether a call counts against the loader. */
export function isFailure(r: CallResult): boolean {
  return r.outcome === 'untyped' || r.outcome === 'timeout' || r.outcome === 'crash' || (r.leakedTensors ?? 0) > 0;
}

export function summarise(
  inputs: { id: string; target: FuzzTarget; seed: string; mutation: string }[],
  results: CallResult[],
  extra: Pick<FuzzSummary, 'rss_growth_mb' | 'rss_end_growth_mb' | 'skipped_models' | 'child_restarts' | 'seconds'>,
): FuzzSummary {
  const byOutcome: Record<string, number> = {};
  const byLoader: Record<string, Record<string, number>> = {};
  const byTarget: Record<string, number> = {};
  for (const i of inputs) byTarget[i.target] = (byTarget[i.target] ?? 0) + 1;
  for (const r of results) {
    byOutcome[r.outcome] = (byOutcome[r.outcome] ?? 0) + 1;
    const l = (byLoader[r.loader] ??= {});
    l[r.outcome] = (l[r.outcome] ?? 0) + 1;
  }
  const sortKeys = <T>(o: Record<string, T>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
  const info = new Map(inputs.map((i) => [i.id, i]));
  return {
    inputs: inputs.length,
    calls: results.length,
    by_outcome: sortKeys(byOutcome),
    by_loader: sortKeys(Object.fromEntries(Object.entries(byLoader).map(([k, v]) => [k, sortKeys(v)]))),
    by_target: byTarget,
    max_ms: Math.round(Math.max(0, ...results.filter((r) => r.outcome !== 'crash').map((r) => r.ms))),
    tensor_leaks: results.filter((r) => (r.leakedTensors ?? 0) > 0).length,
    failures: results.filter(isFailure).map((r) => {
      const i = info.get(r.input)!;
      return { ...r, target: i.target, seed: i.seed, mutation: i.mutation };
    }),
    ...extra,
  };
}

// ---------------------------------------------------------------------------- child process

const CHILD = resolve(import.meta.dirname, 'child.ts');
const REPO = resolve(import.meta.dirname, '..', '..', '..');

/** Options of {@link runCorpusInChild}. */
export interface ChildRunOptions {
  seed: number;
  count: number;
  /** Seconds without output (after the corpus is built) before the child counts as hung. @default 10 */
  stallSeconds?: number;
  /** Give up after this many restarts. @default 25 */
  maxRestarts?: number;
  /** Only run inputs whose `target/id mutation` matches this regular expression (ids stay stable). */
  only?: string;
  log?(line: string): void;
}

interface ChildDone {
  rssBaselineMb: number;
  rssPeakMb: number;
  rssEndMb: number;
}

interface ChildReady {
  inputs: { id: string; target: FuzzTarget; seed: string; mutation: string; loaders: string[] }[];
  skippedModels: { name: string; reason: string }[];
  /** The child's scratch folder; a killed child cannot remove it itself. */
  workDir: string;
}

/** What {@link runCorpusInChild} returns. */
export interface ChildCorpusRun {
  summary: FuzzSummary;
  /** Every call, in corpus order. */
  results: CallResult[];
}

/**
 * Runs the corpus in a child process (restarted after a crash or hang) and summarises.
 * @returns the counts by outcome and loader, the failures, the RSS growth, and every call.
 */
export async function runCorpusInChild(options: ChildRunOptions): Promise<ChildCorpusRun> {
  const t0 = performance.now();
  const results: CallResult[] = [];
  let ready: ChildReady | undefined;
  let start = 0;
  let restarts = 0;
  let rssGrowth = 0;
  let rssEndGrowth = 0;
  for (;;) {
    const run = await runChildOnce(options, start);
    if (run.ready?.workDir) await rm(run.ready.workDir, { recursive: true, force: true });
    ready ??= run.ready;
    results.push(...run.results);
    rssGrowth = Math.max(rssGrowth, run.growthMb);
    if (run.done) {
      rssGrowth = Math.max(rssGrowth, run.done.rssPeakMb - run.done.rssBaselineMb);
      rssEndGrowth = Math.max(rssEndGrowth, run.done.rssEndMb - run.done.rssBaselineMb);
      break;
    }
    if (run.current === undefined || !ready) throw new Error(`fuzz child failed before running any input: ${run.stderr.slice(-3000)}`);
    // Pin the crash or hang on every loader of the input in flight that has no result yet.
    const input = ready.inputs[run.current];
    const seen = new Set(run.results.filter((r) => r.index === run.current).map((r) => r.loader));
    for (const loader of input.loaders.filter((l) => !seen.has(l))) {
      results.push({ index: run.current, input: input.id, loader, outcome: run.hung ? 'timeout' : 'crash', ms: run.msInFlight, detail: run.hung ? `child hung for ${options.stallSeconds ?? 10} s` : `child exited (${run.exit}); stderr: ${run.stderr.slice(-400)}` });
    }
    options.log?.(`fuzz child ${run.hung ? 'hung' : 'crashed'} on ${input.id} (${input.mutation}); restarting after it`);
    start = run.current + 1;
    if (start >= ready.inputs.length) break;
    if (++restarts > (options.maxRestarts ?? 25)) throw new Error(`fuzz child restarted ${restarts} times; giving up`);
  }
  const summary = summarise(ready!.inputs, results, {
    rss_growth_mb: Math.round(rssGrowth),
    rss_end_growth_mb: Math.round(rssEndGrowth),
    skipped_models: ready!.skippedModels,
    child_restarts: restarts,
    seconds: Math.round((performance.now() - t0) / 100) / 10,
  });
  return { summary, results };
}

interface ChildRun {
  ready?: ChildReady;
  results: CallResult[];
  done?: ChildDone;
  current?: number;
  hung: boolean;
  exit: string;
  stderr: string;
  msInFlight: number;
  /** Peak RSS growth over the post-warm-up baseline seen in this child's results (MB). */
  growthMb: number;
}

function runChildOnce(options: ChildRunOptions, start: number): Promise<ChildRun> {
  return new Promise((resolveRun) => {
    const child = spawn(
      process.execPath,
      ['--conditions=source', '--expose-gc', '--import', 'tsx', CHILD, String(options.seed), String(options.count), String(start), options.only ?? ''],
      { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const run: ChildRun = { results: [], hung: false, exit: '', stderr: '', msInFlight: 0, growthMb: 0 };
    let buf = '';
    let lastLine = performance.now();
    let inputStarted = performance.now();
    const stall = (options.stallSeconds ?? 10) * 1000;
    const watchdog = setInterval(() => {
      // Building the corpus takes a while; only a started input can hang.
      if (run.current !== undefined && performance.now() - lastLine > stall) {
        run.hung = true;
        child.kill('SIGKILL');
      }
    }, 250);
    child.stderr.on('data', (d) => (run.stderr = (run.stderr + d).slice(-20_000)));
    child.stdout.on('data', (d) => {
      buf += d;
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const line of lines) {
        lastLine = performance.now();
        const sp = line.indexOf(' ');
        const tag = sp < 0 ? line : line.slice(0, sp);
        const body = sp < 0 ? '' : line.slice(sp + 1);
        if (tag === 'READY') run.ready = JSON.parse(body) as ChildReady;
        else if (tag === 'BEGIN') {
          run.current = Number(body);
          inputStarted = performance.now();
        } else if (tag === 'RESULT') {
          const { growthMb, ...r } = JSON.parse(body) as CallResult & { growthMb: number };
          run.growthMb = Math.max(run.growthMb, growthMb);
          run.results.push(r);
        }
        else if (tag === 'DONE') run.done = JSON.parse(body) as ChildDone;
        else if (tag === 'LOG') options.log?.(body);
      }
    });
    child.on('exit', (code, signal) => {
      clearInterval(watchdog);
      run.exit = signal ? `signal ${signal}` : `code ${code}`;
      run.msInFlight = performance.now() - inputStarted;
      resolveRun(run);
    });
  });
}
