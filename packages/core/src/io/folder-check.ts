/**
 * @file The checks of a model folder that need no file system: relative-path safety, strict
 * JSON, field types. Shared by the Node reader (folder-files.ts, model-folder.ts) and the
 * HTTP reader a page uses (url-folder.ts), so both refuse the same folders.
 * @internal
 */
import { ModelFormatError, PathEscapeError } from '../errors/errors.js';

/** Name of the manifest file. */
export const MANIFEST_FILE = 'latentkit.json';

/**
 * POSIX `path.normalize` for relative paths (what node:path does on Linux, where model folders
 * are written): `a/./b//c` -> `a/b/c`, `a/../b` -> `b`, leading `..` kept. Written out so the
 * browser reader normalises exactly as the Node one.
 */
export function normalizePosix(path: string): string {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && out.length > 0 && out[out.length - 1] !== '..') out.pop();
    else out.push(part);
  }
  const joined = out.join('/');
  if (path.startsWith('/')) return `/${joined}`;
  return joined === '' ? '.' : path.endsWith('/') && joined !== '' ? `${joined}/` : joined;
}

/** `a` and `b` joined with one `/` (for messages naming a file inside a folder or URL). */
export function joinPosix(a: string, b: string): string {
  return `${a.replace(/\/+$/, '')}/${b}`;
}

/** A relative path that stays inside its folder: no absolute paths, no `..`, no NUL. */
export function assertSafeRelativePath(path: unknown, file: string, field: string): string {
  if (typeof path !== 'string' || path.length === 0 || path.length > 1024) {
    throw new ModelFormatError(`${file}: ${field} must be a non-empty relative path string, found ${JSON.stringify(path)}.`, { file });
  }
  const norm = normalizePosix(path);
  if (path.startsWith('/') || path.includes('\0') || path.includes('\\') || norm === '..' || norm.split('/').includes('..')) {
    throw new PathEscapeError(`${file}: ${field} '${path}' points outside the model folder.`, { file });
  }
  return norm;
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
