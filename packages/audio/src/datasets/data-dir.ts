/**
 * @file Data-folder helpers for the dataset loaders (the folder itself is core's
 * `resolveDataDir`: `LATENTKIT_DATA`, else `../shared/data`).
 */
import { stat } from 'node:fs/promises';
import { DatasetError } from '@latentkit/core';
import type { AudioClip } from '../io/audio-clip.js';
import { readWav } from '../io/read-wav.js';
import type { ReadWavOptions } from '../io/read-wav.js';

/**
 * Checks that `path` is a folder, else throws a DatasetError naming it and hinting at LATENTKIT_DATA.
 * @internal
 */
export async function requireDir(path: string, what: string): Promise<void> {
  let ok = false;
  try {
    ok = (await stat(path)).isDirectory();
  } catch {
    ok = false;
  }
  if (!ok) {
    throw new DatasetError(`${what} folder not found: ${path}.`, {
      file: path,
      hint: `Set LATENTKIT_DATA to the data folder that holds it (currently ${process.env.LATENTKIT_DATA ? JSON.stringify(process.env.LATENTKIT_DATA) : 'unset'}), or pass dataDir.`,
    });
  }
}

/**
 * Reads the clips of `items` with a few files in flight at once, keeping order.
 * @internal
 */
export async function loadClips<T extends { path: string }>(
  items: readonly T[],
  options: ReadWavOptions,
  concurrency = 8,
): Promise<(T & { clip: AudioClip })[]> {
  const out: (T & { clip: AudioClip })[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = { ...items[i], clip: await readWav(items[i].path, options) };
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return out;
}
