/**
 * @file The Node side of reading a model folder: bounded reads, sha256, and paths confined to
 * their folder through links. The checks that need no file system are in folder-check.ts.
 * @internal
 */
import { createHash } from 'node:crypto';
import { lstat, readFile, realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import { ModelFormatError, PathEscapeError } from '../errors/errors.js';

export { MANIFEST_FILE, assertSafeRelativePath, parseJson, isRecord, expectField } from './folder-check.js';

/** Hex sha256 of bytes. */
export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Resolves `rel` inside `dir` and refuses a path that resolves outside it through a symbolic
 * link. This is the one link policy of model folders, for `latentkit.json` and every file it
 * lists alike: a link that stays inside the folder is read, a link that leads out is refused.
 * @throws {ModelFormatError} when the file does not exist (or is a dangling link).
 * @throws {PathEscapeError} when it resolves outside `dir`.
 */
export async function confinedPath(dir: string, rel: string, file: string): Promise<string> {
  const full = resolve(dir, rel);
  let realDir: string;
  let real: string;
  try {
    realDir = await realpath(dir);
  } catch (e) {
    throw new ModelFormatError(`Model folder ${dir} does not exist or cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)}).`, { file: dir, cause: e });
  }
  try {
    real = await realpath(full);
  } catch (e) {
    // A dangling link says where it leads; a missing file is just missing.
    const link = await lstat(full).then((s) => s.isSymbolicLink(), () => false);
    throw new ModelFormatError(`${file}: ${link ? 'broken symbolic link' : 'missing file'} '${rel}' in model folder ${dir}.`, { file: full, cause: e });
  }
  const r = relative(realDir, real);
  if (r.startsWith('..') || isAbsolute(r)) {
    throw new PathEscapeError(`${file}: '${rel}' resolves outside the model folder (symlink to ${real}).`, { file: full });
  }
  return full;
}

/** Reads a regular file of at most `maxBytes`. @throws {ModelFormatError} otherwise. */
export async function readBounded(path: string, maxBytes: number, what: string): Promise<Uint8Array> {
  let info;
  try {
    info = await stat(path);
  } catch (e) {
    throw new ModelFormatError(`Missing ${what}: ${path}.`, { file: path, cause: e });
  }
  if (!info.isFile()) throw new ModelFormatError(`${what} ${path} is not a regular file.`, { file: path });
  if (info.size > maxBytes) {
    throw new ModelFormatError(`${what} ${path} is ${info.size} bytes, more than the ${maxBytes}-byte limit.`, { file: path });
  }
  try {
    return new Uint8Array(await readFile(path));
  } catch (e) {
    throw new ModelFormatError(`Cannot read ${what} ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`, { file: path, cause: e });
  }
}

