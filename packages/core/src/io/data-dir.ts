/**
 * @file The one data setting: where MNIST, FSDD and friends live for integration tests,
 * benchmarks and `--data`. Nothing in latentkit needs it to run.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// packages/core/{src,dist}/io/ is four levels below the repository root.
const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/**
 * The data folder: `dir` if given, else `$LATENTKIT_DATA` (relative to the working
 * directory), else `../shared/data` beside the repository.
 * @param dir an explicit folder.
 * @returns an absolute path (not checked for existence).
 * @example
 * ```ts
 * const mnist = join(resolveDataDir(), 'mnist');
 * ```
 */
export function resolveDataDir(dir?: string): string {
  if (dir) return resolve(dir);
  const env = process.env.LATENTKIT_DATA;
  if (env) return resolve(env);
  return resolve(REPO_ROOT, '../shared/data');
}
