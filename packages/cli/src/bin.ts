#!/usr/bin/env node
/**
 * @file The `latentkit` executable: runs the command line and exits with its code. On Linux
 * with glibc it first runs itself again with `MALLOC_ARENA_MAX` set (lib/relaunch.ts says why),
 * before the command line and its engines are loaded.
 */
import { relaunchWithArenaLimit } from './lib/relaunch.js';

if (!(await relaunchWithArenaLimit())) {
  const { runCli } = await import('./cli.js');
  const code = await runCli(process.argv.slice(2));
  // tfjs-backend-wasm and onnxruntime may keep handles open after the work is done; the command
  // is finished when runCli returns, so leave once stdout and stderr have drained.
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}
