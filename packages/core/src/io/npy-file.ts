/**
 * @file `.npy` files on disk: size-checked reads and atomic writes around the byte codec in
 * npy.ts (which stays free of Node APIs so that a page can decode fetched arrays).
 */
import { readFile, stat } from 'node:fs/promises';
import { DecodeError, InputTooLargeError } from '../errors/errors.js';
import { writeFileAtomic } from './atomic.js';
import { decodeNpy, encodeNpy, type NpyArray, type NpyInput } from './npy.js';

/** Options of {@link readNpy}. */
export interface ReadNpyOptions {
  /** Largest file accepted, in bytes. @default 2 GiB */
  maxBytes?: number;
}

/**
 * Writes an array as a `.npy` file, atomically (see `writeFileAtomic`).
 * @param path - target file; its folder must exist.
 * @param array - what {@link encodeNpy} accepts.
 * @throws {ShapeMismatchError} when `data.length` does not match the shape.
 * @example
 * ```ts
 * await writeNpy('codes.npy', stackLatents(latents)); // np.load('codes.npy').shape == (n, 32)
 * ```
 */
export async function writeNpy(path: string, array: NpyInput): Promise<void> {
  await writeFileAtomic(path, encodeNpy(array));
}

/**
 * Reads and decodes a `.npy` file (see {@link decodeNpy}).
 * @param path - the file.
 * @param options - a size limit.
 * @returns the array.
 * @throws {InputTooLargeError} when the file exceeds `maxBytes`.
 * @throws {DecodeError} when it cannot be read or decoded (the error carries `file`).
 * @throws {UnsupportedFormatError} on features this reader does not support.
 * @example
 * ```ts
 * const { data, shape } = await readNpy('codes.npy');
 * ```
 */
export async function readNpy(path: string, options: ReadNpyOptions = {}): Promise<NpyArray> {
  const maxBytes = options.maxBytes ?? 2 * 1024 ** 3;
  let bytes: Uint8Array;
  try {
    const info = await stat(path);
    if (info.size > maxBytes) {
      throw new InputTooLargeError(`${path}: ${info.size} bytes exceeds the ${maxBytes}-byte limit for .npy files.`, {
        file: path,
        hint: 'Pass a larger maxBytes if this file is expected.',
      });
    }
    bytes = await readFile(path);
  } catch (e) {
    if (e instanceof InputTooLargeError) throw e;
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    throw new DecodeError(`${path}: cannot read .npy file (${code}).`, { file: path, cause: e });
  }
  return decodeNpy(bytes, path);
}
