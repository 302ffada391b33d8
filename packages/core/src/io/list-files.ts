/**
 * @file Files under a folder in a stable order, for inputs and datasets: sorted by name with
 * numbers in numeric order, recursively, hidden entries skipped, links inside folders not
 * followed (a listing never wanders out of the folder it was given). Node-only.
 */
import { readdir } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { InputTooLargeError } from '../errors/errors.js';

/** Most files one listing returns. */
export const MAX_LISTED_FILES = 1_000_000;

const collator = new Intl.Collator('en', { numeric: true });

async function walk(dir: string, extensions: readonly string[], out: string[], limit: number): Promise<void> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => collator.compare(a.name, b.name));
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) await walk(p, extensions, out, limit);
    else if (e.isFile() && extensions.includes(extname(e.name).toLowerCase())) out.push(p);
    if (out.length > limit) throw new InputTooLargeError(`${dir}: more than ${limit} files.`, { file: dir });
  }
}

/**
 * Lists the files under `dir` whose extension is one of `extensions`.
 * @param dir the folder.
 * @param extensions lower-case, with the dot, e.g. `['.wav']`.
 * @param limit most files before giving up. @default 1_000_000
 * @returns paths (joined to `dir`), sorted by name, numbers numerically (`2.wav` before `10.wav`).
 * @throws {InputTooLargeError} past `limit` files.
 * @example
 * ```ts
 * const wavs = await listFiles('clips', ['.wav', '.wave']);
 * ```
 */
export async function listFiles(dir: string, extensions: readonly string[], limit = MAX_LISTED_FILES): Promise<string[]> {
  const out: string[] = [];
  await walk(dir, extensions, out, limit);
  return out;
}
