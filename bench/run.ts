/**
 * @file `npm run bench -- <suite> [--quick] [--json file] [--data dir]`: runs one benchmark
 * suite from bench/suites/ (bench/lib/run-suite.ts), prints its tables and writes the JSON its
 * issue names.
 *
 * As the `latentkit` command does (packages/cli/src/bin.ts), it first runs itself again with
 * glibc's MALLOC_ARENA_MAX set where that applies, before anything heavy is loaded: suites
 * measure memory and speed as the command line runs.
 */
import { relaunchWithArenaLimit } from '@latentkit/cli/relaunch';

if (!(await relaunchWithArenaLimit())) {
  await import('./lib/run-suite.js');
}
