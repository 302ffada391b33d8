import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

const CHILD = resolve(import.meta.dirname, 'fixtures', 'child.ts');
const REPO = resolve(import.meta.dirname, '..', '..');

/** Starts the reliability child under tsx (workspace packages resolved to their sources). */
export function startChild(args: string[]): ChildProcess {
  return spawn(process.execPath, ['--conditions=source', '--import', 'tsx', CHILD, ...args], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Resolves when the child's stdout has printed `count` lines matching `pattern`. */
export function waitForLines(child: ChildProcess, pattern: RegExp, count: number): Promise<string[]> {
  return new Promise((res, rej) => {
    const seen: string[] = [];
    let buf = '';
    let err = '';
    child.stderr!.on('data', (d) => (err += d));
    child.stdout!.on('data', (d) => {
      buf += d;
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const l of lines) if (pattern.test(l)) seen.push(l);
      if (seen.length >= count) res(seen);
    });
    child.on('exit', (code) => {
      if (seen.length < count) rej(new Error(`child exited (${code}) after ${seen.length} of ${count} lines: ${err.slice(-2000)}`));
    });
  });
}

export function kill(child: ChildProcess): Promise<void> {
  return new Promise((res) => {
    if (child.exitCode !== null || child.signalCode !== null) return res();
    child.on('exit', () => res());
    child.kill('SIGKILL');
  });
}
