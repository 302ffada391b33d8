/**
 * @file Runs the `latentkit` CLI from source in a child process (workspace packages resolved
 * to their sources), as a user would run the built one.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export const REPO = resolve(import.meta.dirname, '..', '..');
const BIN = resolve(REPO, 'packages', 'cli', 'src', 'bin.ts');
// `--import tsx` resolves tsx from the working directory; a run in a temp folder needs its URL.
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** What a CLI run printed and how it exited. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `latentkit <args>` and resolves when it exits (never rejects on a non-zero exit).
 * @param args command-line arguments.
 * @param options working directory, extra environment, time limit.
 */
export function runLatentkit(args: string[], options: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<CliRun> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, ['--conditions=source', '--import', TSX, BIN, ...args], {
      cwd: options.cwd ?? REPO,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      rej(new Error(`latentkit ${args.join(' ')} timed out; stderr: ${stderr.slice(-2000)}`));
    }, options.timeoutMs ?? 60_000);
    child.on('error', rej);
    child.on('close', (code) => {
      clearTimeout(timer);
      res({ code, stdout, stderr });
    });
  });
}
