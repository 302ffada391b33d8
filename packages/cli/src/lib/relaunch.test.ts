/** The command's relaunch with MALLOC_ARENA_MAX (relaunch.ts), run as real processes. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MALLOC_ARENAS, wouldRelaunch } from './relaunch.js';

const glibc = typeof (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } }).header?.glibcVersionRuntime === 'string';
const RELAUNCH = resolve(import.meta.dirname, 'relaunch.ts');
const dir = mkdtempSync(join(tmpdir(), 'lk-relaunch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A command that relaunches as bin.ts does, then prints its pid and MALLOC_ARENA_MAX and runs
 * `body` (TypeScript, in the child).
 */
function command(name: string, body: string): string {
  const file = join(dir, `${name}.mts`); // ESM wherever it is (top-level await)
  writeFileSync(
    file,
    `import { relaunchWithArenaLimit } from ${JSON.stringify(RELAUNCH)};
if (!(await relaunchWithArenaLimit())) {
  console.log(\`pid \${process.pid} arenas \${process.env.MALLOC_ARENA_MAX ?? 'unset'}\`);
  ${body}
}
`,
  );
  return file;
}

interface Run {
  child: ChildProcess;
  out: string[];
  /** Resolves with the first line matching. */
  line(pattern: RegExp): Promise<string>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(file: string, env: NodeJS.ProcessEnv = {}, detached = false): Run {
  const base = { ...process.env };
  delete base.MALLOC_ARENA_MAX;
  delete base.LATENTKIT_RELAUNCHED;
  const child = spawn(process.execPath, ['--import', 'tsx', file], { env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached });
  const out: string[] = [];
  const waiting: [RegExp, (l: string) => void][] = [];
  let buf = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    const lines = buf.split('\n');
    buf = lines.pop()!;
    for (const l of lines) {
      out.push(l);
      for (const [p, r] of waiting) if (p.test(l)) r(l);
    }
  });
  child.stderr!.on('data', (d: Buffer) => out.push(`stderr: ${d.toString()}`));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on('exit', (code, signal) => r({ code, signal })));
  const line = (pattern: RegExp) =>
    new Promise<string>((res, rej) => {
      const seen = out.find((l) => pattern.test(l));
      if (seen) return res(seen);
      waiting.push([pattern, res]);
      void exit.then(() => rej(new Error(`exited without a line matching ${pattern}: ${out.join('\n')}`)));
    });
  return { child, out, line, exit };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const gone = async (pid: number) => {
  for (let i = 0; i < 50 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  return !alive(pid);
};
const pidOf = (l: string) => Number(/pid (\d+)/.exec(l)![1]);

describe('relaunch with MALLOC_ARENA_MAX', () => {
  it('relaunches only on glibc, and not where the variable is set, turned off, already relaunched or under a debugger', () => {
    expect(wouldRelaunch({}, [])).toBe(glibc);
    expect(wouldRelaunch({ MALLOC_ARENA_MAX: '8' }, [])).toBe(false);
    expect(wouldRelaunch({ LATENTKIT_RELAUNCH: '0' }, [])).toBe(false);
    expect(wouldRelaunch({ LATENTKIT_RELAUNCHED: '1' }, [])).toBe(false);
    expect(wouldRelaunch({}, ['--inspect=9229'])).toBe(false);
  });

  it.runIf(glibc)('runs the command in a child with the limit set and ends with its exit code', async () => {
    const run = start(command('exit-code', 'process.exitCode = 7;'));
    const l = await run.line(/^pid/);
    expect(l).toMatch(new RegExp(`arenas ${MALLOC_ARENAS}$`));
    expect(pidOf(l)).not.toBe(run.child.pid);
    expect(await run.exit).toEqual({ code: 7, signal: null });
    // A user's own setting is kept, in this process.
    const own = start(command('own', ''), { MALLOC_ARENA_MAX: '4' });
    const mine = await own.line(/^pid/);
    expect(mine).toMatch(/arenas 4$/);
    expect(pidOf(mine)).toBe(own.child.pid);
    expect((await own.exit).code).toBe(0);
  });

  it.runIf(glibc)("gets a terminal's Ctrl-C to the command once, so a command that stops gracefully on it does", async () => {
    // The command leads its own process group, as a shell's foreground job does; Ctrl-C signals the group.
    const run = start(
      command(
        'graceful',
        `let n = 0;
  process.on('SIGINT', () => { n++; console.log('sigint ' + n); setTimeout(() => { console.log('stopped after ' + n); process.exit(0); }, 300); });
  setInterval(() => undefined, 1000);
  console.log('ready');`,
      ),
      {},
      true,
    );
    await run.line(/^ready/);
    process.kill(-run.child.pid!, 'SIGINT');
    await run.line(/^stopped after/);
    expect(run.out).toContain('stopped after 1');
    expect(await run.exit).toEqual({ code: 0, signal: null });
  });

  it.runIf(glibc)('passes a terminal resize on, and ends with the signal that ended the child (SIGTERM passed on)', async () => {
    const run = start(command('term', "process.on('SIGWINCH', () => console.log('resized')); setInterval(() => undefined, 1000); console.log('ready');"));
    const pid = pidOf(await run.line(/^pid/));
    await run.line(/^ready/);
    run.child.kill('SIGWINCH');
    await run.line(/^resized/);
    run.child.kill('SIGTERM');
    expect(await run.exit).toEqual({ code: null, signal: 'SIGTERM' });
    expect(await gone(pid)).toBe(true);
  });

  it.runIf(glibc)('stops the child on Ctrl-Z (SIGTSTP to the process group) and continues it on SIGCONT, as `fg` does', async () => {
    const run = start(command('job', "let n = 0; setInterval(() => console.log('tick ' + ++n), 40); console.log('ready');"), {}, true);
    const pid = pidOf(await run.line(/^pid/));
    await run.line(/^tick 3$/);
    process.kill(-run.child.pid!, 'SIGTSTP');
    // Both stopped: state T in /proc, and no tick for a while.
    const state = (p: number) => readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1][0];
    for (let i = 0; i < 50 && (state(pid) !== 'T' || state(run.child.pid!) !== 'T'); i++) await new Promise((r) => setTimeout(r, 20));
    expect([state(run.child.pid!), state(pid)]).toEqual(['T', 'T']);
    const ticks = run.out.filter((l) => l.startsWith('tick')).length;
    await new Promise((r) => setTimeout(r, 400));
    expect(run.out.filter((l) => l.startsWith('tick')).length).toBe(ticks);
    process.kill(-run.child.pid!, 'SIGCONT');
    await run.line(new RegExp(`^tick ${ticks + 3}$`));
    expect(state(pid)).not.toBe('T');
    run.child.kill('SIGTERM');
    expect(await run.exit).toEqual({ code: null, signal: 'SIGTERM' });
    expect(await gone(pid)).toBe(true);
  });

  it.runIf(glibc)('stops the child when the command is killed outright (SIGKILL)', async () => {
    const run = start(command('kill', "setInterval(() => undefined, 1000); console.log('ready');"));
    const pid = pidOf(await run.line(/^pid/));
    await run.line(/^ready/);
    expect(alive(pid)).toBe(true);
    run.child.kill('SIGKILL');
    expect((await run.exit).signal).toBe('SIGKILL');
    expect(await gone(pid)).toBe(true);
  });
});
