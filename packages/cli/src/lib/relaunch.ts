/**
 * @file Runs the command in a child process with glibc's `MALLOC_ARENA_MAX` set, where glibc is
 * the allocator and the variable is unset.
 *
 * Why: glibc gives each thread that allocates its own malloc arena (up to 8 per core) and keeps
 * what is freed in an arena for that arena's later use; it rarely returns it. Training here
 * starts and ends threads and onnxruntime sessions model after model (split workers, intra-op
 * threads, one memory arena per session), so freed native memory piled up in many arenas: the
 * image benchmark's MNIST run grew from 1,060 MB after its first model to 1,408 MB before its
 * last, with every earlier model disposed, and peaked at 1,636 MB (846 s). With
 * `MALLOC_ARENA_MAX=2` the same run peaked at 1,331 MB (783 s); bench/engine-threads/NOTES.md
 * has the measurements. sharp's documentation describes the same glibc behaviour.
 *
 * The variable must be in the environment when the process starts (glibc reads it once), so
 * the command runs again as a child with it set, this process waiting for it. A user who sets
 * `MALLOC_ARENA_MAX` (any value) keeps their own; `LATENTKIT_RELAUNCH=0` turns this off.
 */
import { spawn, type ChildProcess } from 'node:child_process';

/** The arena limit the command runs under. */
export const MALLOC_ARENAS = '2';

/** Whether this process allocates with glibc (Linux with glibc, not musl). */
function usesGlibc(): boolean {
  if (process.platform !== 'linux') return false;
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  return typeof header?.glibcVersionRuntime === 'string';
}

/** Set in the child's environment: it is the relaunched command. */
const CHILD_MARK = 'LATENTKIT_RELAUNCHED';

/** Whether {@link relaunchWithArenaLimit} would run the command again in a child. */
export function wouldRelaunch(env: NodeJS.ProcessEnv = process.env, execArgv: readonly string[] = process.execArgv): boolean {
  if (env.MALLOC_ARENA_MAX !== undefined || env.LATENTKIT_RELAUNCH === '0' || env[CHILD_MARK] !== undefined) return false;
  // A debugger's port cannot be taken twice.
  if (execArgv.some((a) => a.startsWith('--inspect'))) return false;
  return usesGlibc();
}

/**
 * Passed on to the child. SIGWINCH too: in its own session the child has no controlling
 * terminal, so a resized terminal tells only this process (the progress bar's width follows it).
 */
const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGWINCH'];

/**
 * Runs this process's command again as a child with `MALLOC_ARENA_MAX` set, where
 * {@link wouldRelaunch}, and ends this process as the child ends (its exit code, or the signal
 * that ended it). Returns false, at once, where it does not relaunch (or the child could not
 * start): the caller goes on and runs the command itself. In a relaunched child it returns
 * false too, having set the child to end with its parent ({@link watchParent}).
 *
 * Signals: the child runs in its own session (it never reads the terminal), so a terminal's
 * Ctrl-C reaches this process alone and is passed on once: sent to both, a command that stops
 * gracefully on the first SIGINT (`latentkit worker`) would be killed by the second. SIGINT,
 * SIGTERM, SIGHUP and SIGWINCH are passed on. Ctrl-Z (SIGTSTP) stops the child, then this
 * process; `fg` or `bg` (SIGCONT to this process) continues both ({@link passJobControl}). If
 * this process is killed outright (SIGKILL), the child sees its IPC channel close and kills
 * itself ({@link watchParent}), so killing the command still stops its work.
 */
export async function relaunchWithArenaLimit(): Promise<boolean> {
  if (!wouldRelaunch()) {
    watchParent();
    return false;
  }
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, MALLOC_ARENA_MAX: MALLOC_ARENAS, [CHILD_MARK]: '1' },
    detached: true,
  });
  const handlers = [...FORWARDED.map((signal) => [signal, () => child.kill(signal)] as const), ...passJobControl(child)];
  for (const [s, h] of handlers) process.on(s, h);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
    child.on('exit', (c, s) => resolve([c, s]));
    // Not started (the node binary gone): the command runs here after all.
    child.on('error', () => resolve([null, null]));
  });
  for (const [s, h] of handlers) process.off(s, h);
  if (code === null && signal === null) return false;
  if (signal) {
    // End as the child ended, so whoever started the command sees the same signal.
    process.kill(process.pid, signal);
    await new Promise((r) => setTimeout(r, 1000));
  }
  process.exit(code ?? 1);
}

/**
 * The handlers that make Ctrl-Z stop the command and `fg`/`bg` continue it. The terminal's
 * SIGTSTP reaches this process only, and passing it on would do nothing: the child's process
 * group has no parent in its own session (it is "orphaned"), and the kernel drops SIGTSTP to
 * such a group. So the child gets SIGSTOP, which cannot be dropped, and this process then stops
 * itself the same way (with a handler installed, SIGTSTP no longer stops it); the shell's
 * SIGCONT wakes this process, which wakes the child. Left: a stopped command killed with
 * SIGKILL leaves its child stopped (`kill %1` is fine: the shell sends SIGCONT with it).
 */
function passJobControl(child: ChildProcess): (readonly [NodeJS.Signals, () => void])[] {
  return [
    [
      'SIGTSTP',
      () => {
        child.kill('SIGSTOP');
        process.kill(process.pid, 'SIGSTOP');
      },
    ],
    ['SIGCONT', () => void child.kill('SIGCONT')],
  ];
}

/**
 * In a relaunched child: kills this process when its parent is gone (the IPC channel closes
 * only then; the parent waits for the child otherwise). Does nothing elsewhere.
 */
function watchParent(): void {
  if (process.env[CHILD_MARK] === undefined || !process.connected) return;
  // The channel must not keep the command alive once its work is done.
  (process.channel as { unref?: () => void } | undefined)?.unref?.();
  process.on('disconnect', () => process.kill(process.pid, 'SIGKILL'));
}
