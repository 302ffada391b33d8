/**
 * @file Loads onnxruntime-node (an optional dependency) once, and makes sessions for
 * training-step graphs with the thread settings the step runner asks for.
 *
 * Threads: ORT's intra-op workers spin-wait between ops by default, which on a loaded machine
 * burns the cores other processes need and made 2 threads *slower* than 1 in the prototype
 * (0.5x). Sessions here turn spinning off (`session.intra_op.allow_spinning = 0`) except for
 * `threads: 'spin'` (2 threads), which `'auto'` times against 1 thread while training
 * (threads.ts) instead of guessing from the load average: where a core is free spinning pays.
 */
import type * as Ort from 'onnxruntime-node';

// A variable, not a literal: bundlers and TypeScript must not require the optional package.
const ORT_PACKAGE = ['onnxruntime', 'node'].join('-');

let loaded: Promise<typeof Ort | string> | undefined;

/**
 * The onnxruntime-node module, or the one-line reason it cannot load here.
 * `LATENTKIT_ORT=0` disables it (tests of the fallback path, or to rule ORT out).
 */
export function loadOrt(): Promise<typeof Ort | string> {
  // Read through globalThis: engine.ts, which calls this, also runs in pages (where it never gets here).
  if ((globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env.LATENTKIT_ORT === '0') return Promise.resolve('disabled by LATENTKIT_ORT=0');
  loaded ??= (async () => {
    try {
      const mod = (await import(ORT_PACKAGE)) as typeof Ort & { default?: typeof Ort };
      const ort = (mod.InferenceSession ? mod : mod.default) as typeof Ort;
      if (!ort?.InferenceSession) return `${ORT_PACKAGE} loaded without an InferenceSession`;
      return ort;
    } catch (e) {
      return `cannot import ${ORT_PACKAGE} (${(e instanceof Error ? e.message : String(e)).split('\n')[0]})`;
    }
  })();
  return loaded;
}

/** The version of the loaded onnxruntime-node, if any. */
export async function ortVersion(): Promise<string | undefined> {
  const ort = await loadOrt();
  if (typeof ort === 'string') return undefined;
  return (ort.env as { versions?: { common?: string } }).versions?.common;
}

/** Thread settings of one session. */
export interface SessionThreads {
  intraOp: number;
  spinning: boolean;
}

/**
 * The options of every training session, this thread's and the split workers' (which get them
 * as worker data: one definition, so the two cannot drift apart).
 */
export function sessionOptions(threads: SessionThreads): Ort.InferenceSession.SessionOptions {
  return {
    executionProviders: ['cpu'],
    intraOpNumThreads: threads.intraOp,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    enableCpuMemArena: true,
    // No memory pattern. With it, a session plans each run's intermediates as one block from its
    // second run on, allocated beside what the first run took from the arena, so the arena held
    // both: ~50 MB more per session for the image VAE at batch 64, 126 MB more over an 'auto'
    // fit with split workers (peak 927 against 801 MB), and a shape met once an epoch grew the
    // arena epochs into a fit. Without it each run takes the same allocations from an arena at
    // rest after the first run; the engine models' steps ran as fast within run-to-run noise
    // (bench/engine-threads/NOTES.md, session 7).
    enableMemPattern: false,
    // Warnings (e.g. an unused constant the optimiser removed) are not the user's business.
    logSeverityLevel: 3,
    // The Node binding flattens nested keys into session config entries.
    // A spinning pool stops spinning at the end of each run (`session.force_spinning_stop`):
    // between runs this thread collates the next batch, and a spinning worker would only burn
    // the other core.
    extra: {
      session: {
        intra_op: { allow_spinning: threads.spinning ? '1' : '0' },
        inter_op: { allow_spinning: '0' },
        ...(threads.spinning ? { force_spinning_stop: '1' } : {}),
      },
    },
  } as Ort.InferenceSession.SessionOptions;
}

/** Creates a CPU session for a serialised step graph. */
export async function createSession(ort: typeof Ort, model: Uint8Array, threads: SessionThreads): Promise<Ort.InferenceSession> {
  return ort.InferenceSession.create(model, sessionOptions(threads));
}
