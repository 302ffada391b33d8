/**
 * @file The benchmarks' CLI mode: runs `latentkit train`, `encode` and `reconstruct` as child
 * processes of packages/cli/dist/bin.js, exactly as a user types them, so a suite can report
 * the figure a user's command reaches next to the one its recipe call reaches. Nothing here
 * reaches into the CLI's code: arguments in, exit code, stdout, stderr and files out.
 * The suite runs the built CLI, as `npx latentkit` does; the first run in a process builds the
 * workspace first (turbo's cache makes that a few seconds when nothing changed): a dist left
 * from an earlier commit had a benchmark time that commit's CLI beside this one's recipes.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The CLI entry a user runs (`latentkit` is this file). */
export const CLI_BIN = resolve(import.meta.dirname, '../../packages/cli/dist/bin.js');

let built = false;

/** Builds the workspace once per process (see the file comment). @throws {Error} when the build fails. */
function ensureBuilt(): void {
  if (built) return;
  const root = resolve(import.meta.dirname, '../..');
  const r = spawnSync('npx', ['turbo', 'run', 'build', '--output-logs=errors-only'], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`building the workspace for the CLI failed:\n${(r.stdout + r.stderr).trim().split('\n').slice(-20).join('\n')}`);
  built = true;
}

/** What one CLI run gave. */
export interface CliRun {
  /** The command line, for reports (`latentkit train image --data ...`). */
  command: string;
  code: number;
  stdout: string;
  stderr: string;
  seconds: number;
}

/** Options of {@link runCli}. */
export interface RunCliOptions {
  /** Working folder. @default the process's */
  cwd?: string;
  /** Extra environment (merged over the process's). */
  env?: Record<string, string>;
  /** Kill the run after this long. @default 3 hours */
  timeoutMs?: number;
  /** Called with each stderr line (progress, notes) as it arrives. */
  onLine?(line: string): void;
}

/**
 * Runs `latentkit <args>` (node packages/cli/dist/bin.js) and waits for it.
 * @throws {Error} when the workspace does not build, or the run times out; a non-zero exit is returned, not thrown.
 * @example
 * ```ts
 * const run = await runCli(['train', 'image', '--data', dir, '--out', model]);
 * if (run.code !== 0) throw new Error(run.stderr);
 * ```
 */
export async function runCli(args: readonly string[], options: RunCliOptions = {}): Promise<CliRun> {
  ensureBuilt();
  if (!existsSync(CLI_BIN)) throw new Error(`${CLI_BIN} does not exist after the build.`);
  const command = `latentkit ${args.map((a) => (/^[\w./:=@-]+$/.test(a) ? a : JSON.stringify(a))).join(' ')}`;
  const t0 = performance.now();
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [CLI_BIN, ...args], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let partial = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
      if (!options.onLine) return;
      // Progress bars redraw with \r: report whole lines only.
      const lines = (partial + c).split(/[\r\n]+/);
      partial = lines.pop() ?? '';
      for (const l of lines) if (l.trim()) options.onLine(l);
    });
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`${command} ran past ${options.timeoutMs} ms; killed.`));
    }, options.timeoutMs ?? 3 * 3600_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolveRun({ command, code: code ?? (signal ? 128 : 1), stdout, stderr, seconds: (performance.now() - t0) / 1000 });
    });
  });
}

/**
 * Runs the CLI and throws, with its stderr, when it exits non-zero.
 * @returns the run.
 */
export async function runCliOk(args: readonly string[], options: RunCliOptions = {}): Promise<CliRun> {
  const run = await runCli(args, options);
  if (run.code !== 0) throw new Error(`${run.command} exited ${run.code}:\n${run.stderr.slice(-2000)}`);
  return run;
}

/**
 * A fresh temporary folder (outside the repository: benchmarks never write data into it),
 * removed after `fn` unless `keep`.
 */
export async function withTempDir<T>(prefix: string, fn: (dir: string) => Promise<T>, keep = false): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  try {
    return await fn(dir);
  } finally {
    if (!keep) await rm(dir, { recursive: true, force: true });
  }
}

/** The collapse-check line `latentkit train` prints, parsed (undefined when absent). */
export function parseCollapseLine(stdout: string): { line: string; status: string; errorRatio: number; spreadRatio: number } | undefined {
  const line = stdout.split('\n').find((l) => l.startsWith('collapse check'));
  if (!line) return undefined;
  const ratio = /is ([\d.]+)x the mean-input baseline/.exec(line);
  const spread = /outputs vary ([\d.]+)x/.exec(line);
  const status = /DID NOT LEARN/.test(line) ? 'collapsed' : /learned little/.test(line) ? 'weak' : 'learned';
  return { line, status, errorRatio: ratio ? Number(ratio[1]) : NaN, spreadRatio: spread ? Number(spread[1]) : NaN };
}
