/**
 * @file Labelled images from a folder tree, one subfolder per class (the torchvision
 * `ImageFolder` layout): `root/cat/001.png`, `root/dog/a/002.jpg`, ...
 */
import { readdir } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import type { Dirent } from 'node:fs';
import { DatasetError, DecodeError, InvalidArgumentError, LatentkitError } from '@latentkit/core';
import { IMAGE_EXTENSIONS, readImage } from '../io/read-image.js';
import type { ReadImageOptions } from '../io/read-image.js';
import { mapLimit } from '../io/map-limit.js';
import type { FloatImage } from '../io/float-image.js';
import type { LabeledImages } from './idx.js';

/** Options of {@link loadImageFolder}. */
export interface ImageFolderOptions extends ReadImageOptions {
  /**
   * Skip files that fail to decode (and list them in `skipped`) instead of throwing.
   * @default false
   */
  skipUnreadable?: boolean;
  /**
   * Load at most this many files, spread over the classes in turn (each class's first files
   * in sorted order), so a limit never drops whole classes. Results stay grouped by class.
   */
  limit?: number;
  /**
   * Images decoded at the same time.
   * @default 4
   */
  concurrency?: number;
}

/** What {@link loadImageFolder} returns. */
export interface ImageFolderDataset extends LabeledImages {
  /** `files[i]` is the path `images[i]` came from. */
  files: string[];
  /** Files left out because they could not be decoded (only with `skipUnreadable`). */
  skipped: { file: string; error: string }[];
}

const MAX_CLASSES = 256; // labels are a Uint8Array, like MNIST's

async function list(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (e) {
    throw new DatasetError(`${dir}: cannot read image folder (${(e as NodeJS.ErrnoException).code ?? String(e)}).`, {
      file: dir,
      cause: e,
    });
  }
}

/** Image files under `dir`, recursively, sorted; hidden entries and symlinks are skipped. */
async function imageFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const entries = (await list(dir)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await imageFiles(p)));
    else if (e.isFile() && IMAGE_EXTENSIONS.includes(extname(e.name).toLowerCase())) out.push(p);
  }
  return out;
}

/** The first `limit` files taken one class at a time, in their original order. */
function roundRobin(files: { file: string; label: number }[], limit: number): { file: string; label: number }[] {
  const byClass = new Map<number, number[]>();
  files.forEach((f, i) => {
    const q = byClass.get(f.label);
    if (q) q.push(i);
    else byClass.set(f.label, [i]);
  });
  const queues = [...byClass.values()];
  const picked: number[] = [];
  for (let k = 0; picked.length < limit; k++) {
    for (const q of queues) if (k < q.length && picked.length < limit) picked.push(q[k]);
  }
  return picked.sort((a, b) => a - b).map((i) => files[i]);
}

/**
 * Loads labelled images from `dir`: each subfolder is a class (class names sorted, label =
 * index), holding image files at any depth. Only PNG, JPEG, WebP, GIF and TIFF files (by
 * extension) are read; other files and hidden entries are ignored. When `dir` has no
 * subfolders, its own images form a single class named after the folder. Pass `width`,
 * `height` and `channels` so every image has the model's input size.
 *
 * @param dir the root folder.
 * @param options {@link readImage} options plus `skipUnreadable`, `limit`, `concurrency`.
 * @returns images, labels, class names and the file of each image.
 * @throws {DatasetError} when the folder cannot be read, holds no images, or has more than
 *   256 classes.
 * @throws {DecodeError} (or another {@link readImage} error) naming the file that cannot be
 *   decoded, unless `skipUnreadable` is set.
 * @example
 * ```ts
 * const data = await loadImageFolder('photos/', { width: 64, height: 64, channels: 3 });
 * data.classNames[data.labels[0]]; // e.g. 'cat'
 * ```
 */
export async function loadImageFolder(dir: string, options: ImageFolderOptions = {}): Promise<ImageFolderDataset> {
  const { skipUnreadable = false, limit, concurrency = 4, ...readOptions } = options;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
    throw new InvalidArgumentError(`loadImageFolder option limit must be a positive integer, got ${limit}.`);
  }
  const entries = await list(dir);
  const classDirs = entries
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort();
  const classNames = classDirs.length > 0 ? classDirs : [basename(dir)];
  if (classNames.length > MAX_CLASSES) {
    throw new DatasetError(`${dir}: ${classNames.length} class folders, more than ${MAX_CLASSES}.`, { file: dir });
  }
  let files: { file: string; label: number }[] = [];
  if (classDirs.length > 0) {
    for (let c = 0; c < classDirs.length; c++) {
      for (const f of await imageFiles(join(dir, classDirs[c]))) files.push({ file: f, label: c });
    }
  } else {
    files = (await imageFiles(dir)).map((file) => ({ file, label: 0 }));
  }
  if (files.length === 0) {
    throw new DatasetError(`${dir}: no image files (${IMAGE_EXTENSIONS.join(' ')}) found in ${classNames.length} class folder(s).`, {
      file: dir,
    });
  }
  if (limit !== undefined && limit < files.length) files = roundRobin(files, limit);

  const skipped: ImageFolderDataset['skipped'] = [];
  const decoded = await mapLimit(files, concurrency, async ({ file }): Promise<FloatImage | undefined> => {
    try {
      return await readImage(file, readOptions);
    } catch (e) {
      // Bad options are the caller's bug, not a bad file: never skip those.
      if (skipUnreadable && e instanceof LatentkitError && !(e instanceof InvalidArgumentError)) {
        skipped.push({ file, error: e.message });
        return undefined;
      }
      if (e instanceof LatentkitError) throw e;
      throw new DecodeError(`${file}: cannot read image (${e instanceof Error ? e.message : String(e)}).`, { file, cause: e });
    }
  });
  const images: FloatImage[] = [];
  const labels: number[] = [];
  const kept: string[] = [];
  decoded.forEach((im, i) => {
    if (!im) return;
    images.push(im);
    labels.push(files[i].label);
    kept.push(files[i].file);
  });
  if (images.length === 0) {
    throw new DatasetError(`${dir}: none of the ${files.length} image files could be decoded.`, { file: dir });
  }
  skipped.sort((a, b) => (a.file < b.file ? -1 : 1));
  return { images, labels: Uint8Array.from(labels), classNames, files: kept, skipped };
}
