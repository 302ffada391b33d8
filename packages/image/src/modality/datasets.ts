/**
 * @file Image training data the descriptor recognises: MNIST-format IDX files (MNIST,
 * Fashion-MNIST), a folder with one subfolder per class, and the embedded synthetic glyphs.
 * Node-only: every layout reads the file system.
 */
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import type { DatasetLayout, DatasetLoadOptions, EmbeddedData, LoadedDataset } from '@latentkit/core';
import { loadMnist } from '../datasets/idx.js';
import { loadImageFolder } from '../datasets/image-folder.js';
import { syntheticGlyphs } from '../datasets/synthetic.js';
import type { FloatImage } from '../io/float-image.js';
import { checkFixedShape, describeReadSpec, readSpecOf, type ImageReadSpec } from './input-size.js';

const IDX_FILES = ['train-images-idx3-ubyte.gz', 'train-images-idx3-ubyte', 't10k-images-idx3-ubyte.gz', 't10k-images-idx3-ubyte'];

function isMnistDir(dir: string): boolean {
  return IDX_FILES.some((f) => existsSync(join(dir, f)));
}

/** The folder holding the IDX files: `path` itself, or its `mnist/` (a data folder). */
function mnistDirOf(path: string): string | undefined {
  return isMnistDir(path) ? path : isMnistDir(join(path, 'mnist')) ? join(path, 'mnist') : undefined;
}

/** The dataset facts an image recipe builds its model from (shape and read policy). */
function factsOf(spec: ImageReadSpec) {
  return { inputShape: [spec.height, spec.width, spec.channels], input: { ...spec.policy } };
}

const FIXED_28 = { width: 28, height: 28, channels: 1 } as const;

function classes(labels: ArrayLike<number>, names: readonly string[]) {
  return { class: { values: Array.from(labels), names: [...names] } };
}

/** MNIST-format IDX files (train-/t10k-images-idx3-ubyte[.gz]), or a data folder holding `mnist/`. */
export const mnistLayout: DatasetLayout<FloatImage> = {
  name: 'mnist',
  describe: 'MNIST-format IDX files (MNIST, Fashion-MNIST), or a data folder holding mnist/',
  labels: ['class'],
  detect: async (path) => mnistDirOf(path) !== undefined,
  async load(path, options: DatasetLoadOptions = {}): Promise<LoadedDataset<FloatImage>> {
    const dir = mnistDirOf(path) ?? path;
    checkFixedShape(options.settings, `MNIST-format files (${dir})`, FIXED_28);
    const split = options.split === 'test' ? 'test' : 'train';
    const m = await loadMnist(dir, split, options.limit !== undefined ? { limit: options.limit } : {});
    const spec = readSpecOf(undefined, FIXED_28);
    return { samples: m.images, labels: classes(m.labels, m.classNames), source: `${basename(dir)} ${split} (${m.images.length})`, layout: 'mnist', facts: factsOf(spec) };
  },
};

/**
 * Any folder of images; one subfolder per class gives class labels. Read at `--size` and
 * `--channels` (default: the first image's, see input-size.ts), resized to cover and
 * centre-cropped.
 */
export const imageFolderLayout: DatasetLayout<FloatImage> = {
  name: 'image-folder',
  describe: 'a folder of images, one subfolder per class (read at --size/--channels, default the first image\'s; resized to cover, centre-cropped)',
  labels: ['class'],
  detect: async (path) => (await stat(path).catch(() => undefined))?.isDirectory() === true,
  async load(path, options: DatasetLoadOptions = {}): Promise<LoadedDataset<FloatImage>> {
    // Bad --size/--channels fail before any file is decoded.
    if (options.settings?.size !== undefined || options.settings?.channels !== undefined) readSpecOf(options.settings, { width: 1, height: 1, channels: 1 });
    // The first image (sorted, first class) sets what was not given: one cheap decode at its own size.
    const probe = await loadImageFolder(path, { limit: 1 });
    const spec = readSpecOf(options.settings, probe.images[0]);
    const f = await loadImageFolder(path, {
      width: spec.width,
      height: spec.height,
      channels: spec.channels,
      fit: spec.policy.fit,
      background: spec.policy.background,
      ...(options.limit !== undefined ? { limit: options.limit } : {}),
    });
    return {
      samples: f.images,
      labels: classes(f.labels, f.classNames),
      source: `image folder ${path} (${f.images.length} images, read at ${describeReadSpec(spec)})`,
      layout: 'image-folder',
      facts: factsOf(spec),
    };
  },
  // The class folder each file is in (the first folder below `path`); none for files directly in it.
  async fileLabels(path, files) {
    return {
      class: files.map((f) => {
        const parts = relative(path, f).split(sep);
        return parts.length > 1 && parts[0] !== '..' ? parts[0] : '';
      }),
    };
  },
};

/** Synthetic digit glyphs drawn on the spot (no download). */
export const embeddedGlyphs: EmbeddedData<FloatImage> = {
  describe: 'synthetic digit glyphs (28x28, ten classes), drawn on the spot',
  async load(options: DatasetLoadOptions = {}): Promise<LoadedDataset<FloatImage>> {
    checkFixedShape(options.settings, 'the embedded glyphs', FIXED_28);
    const count = options.limit ?? 2000;
    const seed = options.seed ?? 0;
    const g = await syntheticGlyphs({ count, seed });
    return { samples: g.images, labels: classes(g.labels, g.classNames), source: `synthetic glyphs (${count}, seed ${seed})`, layout: 'synthetic-glyphs', facts: factsOf(readSpecOf(undefined, FIXED_28)) };
  },
};
