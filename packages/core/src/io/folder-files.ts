/**
 * @file Small checked reads shared by the model-folder reader and network loader: bounded
 * reads, strict JSON, field types, and paths confined to their folder.
 * @internal
 */
import { createHash } from 'node:crypto';
import { lstat, readFile, realpath, stat } from 'node:fs/promises';
import { isAbsolute, normalize, relative, resolve, sep } from 'node:path';
import { ModelFormatError, PathEscapeError } from '../errors/errors.js';

/** Name of the manifest file. */
export const MANIFEST_FILE = 'latentkit.json';

/** Hex sha256 of bytes. */
export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A relative path that stays inside its folder: no absolute paths, no `..`, no NUL. */
export function assertSafeRelativePath(path: unknown, file: string, field: string): string {
  if (typeof path !== 'string' || path.length === 0 || path.length > 1024) {
    throw new ModelFormatError(`${file}: ${field} must be a non-empty relative path string, found ${JSON.stringify(path)}.`, { file });
  }
  const norm = normalize(path);
  if (isAbsolute(path) || path.includes('\0') || path.includes('\\') || norm === '..' || norm.startsWith(`..${sep}`) || norm.split(sep).includes('..')) {
    throw new PathEscapeError(`${file}: ${field} '${path}' points outside the model folder.`, { file });
  }
  return norm;
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

/** Strict UTF-8 JSON. @throws {ModelFormatError} naming the file. */
export function parseJson(bytes: Uint8Array, file: string): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (e) {
    throw new ModelFormatError(`${file} is not valid JSON (${(e as Error).message}); the file may be truncated.`, { file, cause: e });
  }
}

/** A plain JSON object. */
export function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** `obj[key]` if it has the given JSON type. @throws {ModelFormatError} naming the field. */
export function expectField<T>(obj: Record<string, unknown>, key: string, type: string, file: string): T {
  const v = obj[key];
  const ok = type === 'array' ? Array.isArray(v) : type === 'object' ? isRecord(v) : typeof v === type;
  if (!ok) {
    throw new ModelFormatError(`${file}: field '${key}' must be ${type === 'array' || type === 'object' ? `an ${type}` : `a ${type}`}, found ${v === undefined ? 'nothing' : JSON.stringify(v)?.slice(0, 60)}.`, { file });
  }
  return v as T;
}
