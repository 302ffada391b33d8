/**
 * @file One child-process runner for the tests that drive real commands (README blocks, the
 * packed-and-installed packages): output collected, a time limit that kills the whole process
 * group (npx and what it started, not only npx), and a line callback that may stop the run early
 * (a server block stops once it has answered).
 */
import { spawn } from 'node:child_process';

export interface ProcessRun {
  code: number | null;
  out: string;
}

export interface RunProcessOptions {
  cwd: string;
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
  /** Called per output line; `stop()` ends the run (SIGTERM to the group). */
  onLine?: (line: string, stop: () => void) => void;
}

/** Runs `cmd args` in its own process group; resolves with its exit code and merged output. */
export function runProcess(cmd: string, args: string[], o: RunProcessOptions): Promise<ProcessRun> {
  return new Promise((res, rej) => {
    const child = spawn(cmd, args, { cwd: o.cwd, env: o.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    const stop = () => {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        /* already gone */
      }
    };
    const timer = setTimeout(() => {
      out += `\n[killed after ${o.timeoutMs / 1000} s]`;
      stop();
    }, o.timeoutMs);
    const take = (d: Buffer) => {
      out += d;
      if (o.onLine) for (const l of String(d).split('\n')) o.onLine(l, stop);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', (e) => {
      clearTimeout(timer);
      rej(e);
    });
    child.on('close', (c) => {
      clearTimeout(timer);
      res({ code: c, out });
    });
  });
}
