/**
 * @file Many processes saving into one model folder at once, some killed with SIGKILL at random
 * moments: the runners behind test/reliability/concurrent-save.test.ts (reduced sizes) and
 * `npm run bench -- reliability` (full sizes). Each returns counts; the callers assert or report.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { LatentkitError, VectorAutoencoder, createRng, tf } from '@latentkit/core';
import { kill, startChild } from './child-process.js';
import { generationValue } from './fixtures/generation.js';

/** What a model folder holds besides its manifest and current generation. */
export interface FolderState {
  /** `weights-*` folders. */
  generations: number;
  /** Anything else but `latentkit.json` (writer markers, temporary files). */
  strays: string[];
}

/** Counts the generations and stray entries of a model folder. */
export async function folderState(dir: string): Promise<FolderState> {
  const entries = await readdir(dir);
  return {
    generations: entries.filter((e) => e.startsWith('weights-')).length,
    strays: entries.filter((e) => e !== 'latentkit.json' && !e.startsWith('weights-')),
  };
}

/** One child process and the report lines it printed. */
class Writer {
  readonly lines: string[] = [];
  private waiters: { kind: string; count: number; resolve: () => void; reject: (e: Error) => void }[] = [];
  private stderr = '';
  exited = false;

  constructor(readonly child: ChildProcess) {
    let buf = '';
    child.stdout!.on('data', (d) => {
      buf += d;
      const parts = buf.split('\n');
      buf = parts.pop()!;
      for (const l of parts) this.lines.push(l);
      this.wake();
    });
    child.stderr!.on('data', (d) => (this.stderr = (this.stderr + String(d)).slice(-4000)));
    child.on('exit', () => {
      this.exited = true;
      this.wake();
    });
  }

  count(kind: string): number {
    return this.lines.filter((l) => l.startsWith(`${kind} `) || l === kind).length;
  }

  of(kind: string): string[] {
    return this.lines.filter((l) => l.startsWith(`${kind} `)).map((l) => l.slice(kind.length + 1));
  }

  /** Resolves once `count` lines of `kind` were printed; rejects if the child exits first. */
  waitFor(kind: string, count: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiters.push({ kind, count, resolve, reject });
      this.wake();
    });
  }

  private wake(): void {
    this.waiters = this.waiters.filter((w) => {
      if (this.count(w.kind) >= w.count) w.resolve();
      else if (this.exited) w.reject(new Error(`child exited after ${this.count(w.kind)} of ${w.count} '${w.kind}' lines: ${this.stderr.slice(-1500)}`));
      else return true;
      return false;
    });
  }
}

/** Result of {@link runConcurrentSaves}. */
export interface ConcurrentSaveResult {
  mode: 'library' | 'cli';
  writers: number;
  savesPerWriter: number;
  /** Saves (or CLI runs) that returned successfully. */
  saved: number;
  /** Saves that failed, as `code message`. */
  saveErrors: string[];
  /** Loads right after a successful save that succeeded. */
  loaded: number;
  /** Loads right after a successful save that failed, as `code message`. */
  loadErrors: string[];
  /** Whether the folder loads once every writer is done. */
  loadsAtEnd: boolean;
  /** The folder once every writer is done. */
  end: FolderState;
  seconds: number;
}

/**
 * Starts `writers` processes that each save into one folder `saves` times (through the library,
 * or through the CLI's `train` command run in-process), each loading the folder after every save
 * that returns.
 * @param root a scratch folder; the model folder is made inside it.
 */
export async function runConcurrentSaves(options: { root: string; writers: number; saves: number; mode: 'library' | 'cli' }): Promise<ConcurrentSaveResult> {
  const t0 = performance.now();
  const dir = join(options.root, `${options.mode}-${options.writers}x${options.saves}`);
  await mkdir(options.root, { recursive: true });
  const mode = options.mode === 'library' ? 'save-n' : 'cli-train-n';
  const ws = Array.from({ length: options.writers }, (_, w) => new Writer(startChild([mode, dir, String(w + 1), String(options.saves)])));
  await Promise.all(ws.map((w) => w.waitFor('done', 1)));
  const all = (kind: string) => ws.flatMap((w) => w.of(kind));
  let loadsAtEnd = true;
  try {
    if (options.mode === 'library') await generationValue(dir);
    else {
      const { loadAnyModel } = await import('@latentkit/cli');
      (await loadAnyModel(dir, 'image')).dispose();
    }
  } catch {
    loadsAtEnd = false;
  }
  return {
    mode: options.mode,
    writers: options.writers,
    savesPerWriter: options.saves,
    saved: all('saved').length,
    saveErrors: all('save-error'),
    loaded: all('loaded').length,
    loadErrors: all('load-error'),
    loadsAtEnd,
    end: await folderState(dir),
    seconds: Math.round((performance.now() - t0) / 100) / 10,
  };
}

/** Result of {@link runSaveKills}. */
export interface SaveKillResult {
  writers: number;
  kills: number;
  /** Saves the writers completed in all. */
  saves: number;
  /** Loads right after a kill that succeeded (whole generations, no mix). */
  loaded: number;
  /** Loads right after a kill that failed, as `code message`. */
  failures: string[];
  /** The folder after one more save once every writer was killed: stale generations gone? */
  afterCleanSave: FolderState;
  seconds: number;
}

/**
 * Keeps `writers` processes saving into one folder and kills one of them with SIGKILL at a
 * random moment `kills` times (after it completed at least one save, so the kill lands among
 * saves, not in its start-up), loading the folder after every kill while the others go on.
 * Ends with one more save, which must sweep what the killed saves left.
 */
export async function runSaveKills(options: { root: string; writers: number; kills: number; seed?: number; maxDelayMs?: number }): Promise<SaveKillResult> {
  const t0 = performance.now();
  const dir = join(options.root, `kills-${options.writers}x${options.kills}`);
  await mkdir(options.root, { recursive: true });
  const rng = createRng(options.seed ?? 2024);
  const start = (w: number) => new Writer(startChild(['save-loop', dir, String(w + 1)]));
  const ws = Array.from({ length: options.writers }, (_, w) => start(w));
  let saves = 0;
  let loaded = 0;
  const failures: string[] = [];
  try {
    for (let i = 0; i < options.kills; i++) {
      const w = i % options.writers;
      await ws[w].waitFor('saved', 1);
      await new Promise((r) => setTimeout(r, rng() * (options.maxDelayMs ?? 60)));
      await kill(ws[w].child);
      saves += ws[w].count('saved');
      try {
        await generationValue(dir);
        loaded++;
      } catch (e) {
        failures.push(`${e instanceof LatentkitError ? e.code : 'untyped'} ${(e as Error).message}`);
      }
      ws[w] = start(w);
    }
  } finally {
    for (const w of ws) {
      await kill(w.child);
      saves += w.count('saved');
    }
  }
  // A later save cleans what the killed ones left.
  const model = VectorAutoencoder.create({ inputDim: 8, latentDim: 2, hidden: [64, 32] });
  try {
    for (const v of model.variables()) tf.tidy(() => v.assign(tf.fill(v.shape, 7)));
    await model.save(dir);
  } finally {
    model.dispose();
  }
  return { writers: options.writers, kills: options.kills, saves, loaded, failures, afterCleanSave: await folderState(dir), seconds: Math.round((performance.now() - t0) / 100) / 10 };
}
