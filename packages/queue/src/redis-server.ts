/**
 * @file A throwaway `redis-server` for tests, benchmarks and trying the queue on one machine:
 * bound to 127.0.0.1 on a free port, nothing persisted (`--save '' --appendonly no`), its
 * files in a temporary folder, stopped with `stop()`.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueueConnectionError } from './errors.js';

/** A running server. */
export interface RedisServer {
  port: number;
  /** `redis://127.0.0.1:<port>/<name>`. */
  url(name: string): string;
  stop(): Promise<void>;
}

/** A port nothing listens on right now. */
async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => res(port));
    });
  });
}

/**
 * Starts `redis-server` (from PATH, or `binary`).
 * @throws {QueueConnectionError} when it is not installed or does not come up.
 */
export async function startRedis(binary = process.env.REDIS_SERVER ?? 'redis-server'): Promise<RedisServer> {
  const dir = await mkdtemp(join(tmpdir(), 'lk-redis-'));
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const child = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--protected-mode', 'yes'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    const up = await new Promise<boolean>((res, rej) => {
      child.stdout.on('data', (d) => {
        log += d;
        if (/Ready to accept connections/i.test(log)) res(true);
      });
      child.stderr.on('data', (d) => (log += d));
      child.once('error', (e) =>
        rej(new QueueConnectionError(`Cannot start ${binary}: ${e.message}.`, { cause: e, hint: 'Install it (apt-get install redis-server) or set REDIS_SERVER.' })),
      );
      child.once('exit', () => res(false));
    });
    if (up) {
      const exited = new Promise<void>((res) => child.once('exit', () => res()));
      return {
        port,
        url: (name) => `redis://127.0.0.1:${port}/${name}`,
        async stop() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          await exited;
          await rm(dir, { recursive: true, force: true });
        },
      };
    }
    // Another process may have taken the port between the probe and the start.
    if (attempt >= 2) {
      await rm(dir, { recursive: true, force: true });
      throw new QueueConnectionError(`redis-server did not start: ${log.slice(-500)}`);
    }
  }
}
