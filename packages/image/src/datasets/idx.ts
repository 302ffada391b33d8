/**
 * @file IDX files (the MNIST / Fashion-MNIST container), raw or gzipped, and the MNIST
 * loader built on them.
 *
 * IDX layout: two zero bytes, a data-type byte, a dimension-count byte, one big-endian uint32
 * per dimension, then the values big-endian and row-major. Every size is checked against the
 * bytes actually present before anything is allocated, so a corrupt header cannot make us
 * allocate gigabytes.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DatasetError, DecodeError, EmptyInputError, InputTooLargeError, InvalidArgumentError } from '@latentkit/core';
import type { FloatImage } from '../io/float-image.js';

/** Element types an IDX file can hold. */
export type IdxType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

/** A decoded IDX array. */
export interface IdxArray {
  type: IdxType;
  /** Dimension sizes, outermost first (e.g. `[60000, 28, 28]`). */
  shape: number[];
  /** The values, row-major, in host byte order. For `uint8` a view into the decoded bytes. */
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

/** Options of {@link decodeIdx} and {@link readIdx}. */
export interface IdxOptions {
  /**
   * Refuse files (after gunzip) larger than this many bytes.
   * @default 512 MiB
   */
  maxBytes?: number;
}

const TYPES: Record<number, { type: IdxType; size: number }> = {
  0x08: { type: 'uint8', size: 1 },
  0x09: { type: 'int8', size: 1 },
  0x0b: { type: 'int16', size: 2 },
  0x0c: { type: 'int32', size: 4 },
  0x0d: { type: 'float32', size: 4 },
  0x0e: { type: 'float64', size: 8 },
};
const DEFAULT_MAX_BYTES = 512 * 1024 * 1024;
const BUFFER_NAME = '<buffer>';

function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function checkMaxBytes(maxBytes: number): number {
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) {
    throw new InvalidArgumentError(`maxBytes must be a positive integer, got ${maxBytes}.`);
  }
  return maxBytes;
}

/** Gunzips with an output cap; a gzip bomb stops at `maxBytes` instead of exhausting memory. */
function gunzipLimited(bytes: Uint8Array, name: string, maxBytes: number): Uint8Array {
  // The trailer's ISIZE is the last member's size mod 2^32, a lower bound of the total:
  // when it alone is over the cap, refuse without inflating anything.
  if (bytes.length >= 18) {
    const isize = new DataView(bytes.buffer, bytes.byteOffset + bytes.length - 4, 4).getUint32(0, true);
    if (isize > maxBytes) {
      throw new InputTooLargeError(`${name}: gzip says it holds ${isize} bytes, more than maxBytes=${maxBytes}.`, { file: name });
    }
  }
  try {
    return gunzipSync(bytes, { maxOutputLength: maxBytes });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) {
      throw new InputTooLargeError(`${name}: decompresses to more than maxBytes=${maxBytes} bytes.`, { file: name, cause: e });
    }
    const msg = e instanceof Error ? e.message : String(e);
    throw new DecodeError(`${name}: corrupt or truncated gzip data (${msg}).`, { file: name, cause: e });
  }
}

/**
 * Decodes an IDX file's bytes (gzipped or raw; gzip is detected by its magic bytes).
 *
 * @param bytes the file contents.
 * @param file the file name, used in error messages.
 * @param options size cap.
 * @returns type, shape and values; for `uint8` the values view the (decompressed) bytes.
 * @throws {DecodeError} for a bad magic number, an unknown type, a zero dimension count, or a
 *   data length other than the product of the dimensions (expected vs found bytes).
 * @throws {InputTooLargeError} when the data (after gunzip) exceeds `maxBytes`.
 * @throws {EmptyInputError} for zero bytes.
 * @example
 * ```ts
 * const labels = decodeIdx(await readFile('t10k-labels-idx1-ubyte.gz'), 't10k-labels-idx1-ubyte.gz');
 * labels.shape; // [10000]
 * ```
 */
export function decodeIdx(bytes: Uint8Array, file: string = BUFFER_NAME, options: IdxOptions = {}): IdxArray {
  const maxBytes = checkMaxBytes(options.maxBytes ?? DEFAULT_MAX_BYTES);
  if (bytes.length === 0) throw new EmptyInputError(`${file}: IDX file is empty (0 bytes).`, { file });
  if (bytes.length > maxBytes) {
    throw new InputTooLargeError(`${file}: ${bytes.length} bytes, more than maxBytes=${maxBytes}.`, { file });
  }
  const raw = isGzip(bytes) ? gunzipLimited(bytes, file, maxBytes) : bytes;
  if (raw.length < 4) throw new DecodeError(`${file}: ${raw.length} bytes is too short for an IDX header (4 bytes or more).`, { file });
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const magic = view.getUint32(0, false);
  const typeInfo = TYPES[raw[2]];
  const ndim = raw[3];
  if (raw[0] !== 0 || raw[1] !== 0 || !typeInfo || ndim === 0) {
    throw new DecodeError(
      `${file}: not an IDX file: magic is 0x${magic.toString(16).padStart(8, '0')}, expected 0x000008NN ` +
        '(00 00, a type byte 08/09/0B/0C/0D/0E, then the number of dimensions, at least 1).',
      { file },
    );
  }
  const headerBytes = 4 + 4 * ndim;
  if (raw.length < headerBytes) {
    throw new DecodeError(`${file}: header declares ${ndim} dimensions (${headerBytes} header bytes) but the file has ${raw.length} bytes.`, {
      file,
    });
  }
  const shape: number[] = [];
  let count = 1;
  for (let d = 0; d < ndim; d++) {
    const n = view.getUint32(4 + 4 * d, false);
    shape.push(n);
    count *= n; // exact while below 2^53; anything that large fails the length check below
  }
  const expected = count * typeInfo.size;
  const found = raw.length - headerBytes;
  if (expected !== found) {
    throw new DecodeError(
      `${file}: header says ${typeInfo.type}[${shape.join(' x ')}] = ${expected} data bytes, found ${found} ` +
        `(${found < expected ? 'file truncated' : 'trailing bytes'}).`,
      { file },
    );
  }
  return { type: typeInfo.type, shape, data: readValues(raw, headerBytes, count, typeInfo.type) };
}

function readValues(raw: Uint8Array, offset: number, count: number, type: IdxType): IdxArray['data'] {
  if (type === 'uint8') return raw.subarray(offset, offset + count);
  if (type === 'int8') return new Int8Array(raw.buffer, raw.byteOffset + offset, count);
  const view = new DataView(raw.buffer, raw.byteOffset + offset, raw.length - offset);
  switch (type) {
    case 'int16': {
      const out = new Int16Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(2 * i, false);
      return out;
    }
    case 'int32': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(4 * i, false);
      return out;
    }
    case 'float32': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, false);
      return out;
    }
    case 'float64': {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(8 * i, false);
      return out;
    }
  }
}

/**
 * Reads and decodes an IDX file (`.gz` or raw). The file size is checked before reading.
 *
 * @param path the file.
 * @param options size cap.
 * @returns type, shape and values.
 * @throws {DatasetError} when the file does not exist or cannot be read.
 * @throws as {@link decodeIdx} otherwise.
 * @example
 * ```ts
 * const images = await readIdx('data/mnist/t10k-images-idx3-ubyte.gz'); // shape [10000, 28, 28]
 * ```
 */
export async function readIdx(path: string, options: IdxOptions = {}): Promise<IdxArray> {
  const maxBytes = checkMaxBytes(options.maxBytes ?? DEFAULT_MAX_BYTES);
  let size: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new DatasetError(`${path}: not a regular file.`, { file: path });
    size = st.size;
  } catch (e) {
    if (e instanceof DatasetError) throw e;
    throw new DatasetError(`${path}: cannot read IDX file (${(e as NodeJS.ErrnoException).code ?? String(e)}).`, { file: path, cause: e });
  }
  if (size > maxBytes) throw new InputTooLargeError(`${path}: ${size} bytes, more than maxBytes=${maxBytes}.`, { file: path });
  return decodeIdx(await readFile(path), path, options);
}

/** Which MNIST-format dataset a folder holds; decides the class names. */
export type MnistVariant = 'mnist' | 'fashion-mnist';

/** Options of {@link loadMnist}. */
export interface LoadMnistOptions extends IdxOptions {
  /** Keep only the first `limit` samples (the files are still read and gunzipped whole). */
  limit?: number;
  /**
   * Which class names to report.
   * @default 'fashion-mnist' when the folder name contains "fashion", else 'mnist'
   */
  variant?: MnistVariant;
}

/** Images with integer class labels. */
export interface LabeledImages {
  images: FloatImage[];
  /** `labels[i]` is the class index of `images[i]`, an index into `classNames`. */
  labels: Uint8Array;
  classNames: string[];
}

/** Class names of MNIST (digits) and Fashion-MNIST (Zalando articles), in label order. */
export const MNIST_CLASS_NAMES: Readonly<Record<MnistVariant, readonly string[]>> = {
  mnist: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  'fashion-mnist': ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'],
};

async function findFile(dir: string, prefix: string, kind: 'images' | 'labels', ndim: number): Promise<string> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (e) {
    throw new DatasetError(`${dir}: cannot read MNIST folder (${(e as NodeJS.ErrnoException).code ?? String(e)}).`, {
      file: dir,
      cause: e,
    });
  }
  // Official names, their un-gzipped forms, and the `train-images.idx3-ubyte` spelling some mirrors use.
  const candidates = [`${prefix}-${kind}-idx${ndim}-ubyte`, `${prefix}-${kind}.idx${ndim}-ubyte`].flatMap((n) => [`${n}.gz`, n]);
  const found = candidates.find((c) => entries.includes(c));
  if (!found) {
    throw new DatasetError(`${dir}: no ${kind} file for this split; expected one of ${candidates.join(', ')}.`, {
      file: dir,
      hint: 'Point at a folder with the original MNIST / Fashion-MNIST IDX files.',
    });
  }
  return join(dir, found);
}

/**
 * Loads the train or test split of MNIST or Fashion-MNIST from a folder of the original IDX
 * files (`train-images-idx3-ubyte.gz`, `t10k-labels-idx1-ubyte.gz`, ...; gzipped or not).
 * Images are 28x28x1 in [0, 1] (white ink on black); all of them view one shared
 * `Float32Array`, so 60,000 images cost one 188 MB buffer and no per-image overhead.
 *
 * @param dir the folder holding the four IDX files.
 * @param split `train` (60,000 samples) or `test` (10,000, files named `t10k-*`).
 * @param options `limit`, `variant`, `maxBytes`.
 * @returns images, labels and class names.
 * @throws {DatasetError} when a file is missing, the images are not `[n, rows, cols]`
 *   uint8, the labels not `[n]` uint8, the counts differ, or a label is out of range.
 * @throws {DecodeError} when a file is corrupt (see {@link decodeIdx}).
 * @example
 * ```ts
 * const { images, labels, classNames } = await loadMnist('data/fashion-mnist', 'test', { limit: 1000 });
 * classNames[labels[0]]; // 'Ankle boot'
 * ```
 */
export async function loadMnist(dir: string, split: 'train' | 'test', options: LoadMnistOptions = {}): Promise<LabeledImages> {
  if (split !== 'train' && split !== 'test') {
    throw new InvalidArgumentError(`loadMnist split must be 'train' or 'test', got '${String(split)}'.`);
  }
  const { limit } = options;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
    throw new InvalidArgumentError(`loadMnist option limit must be a positive integer, got ${limit}.`);
  }
  const variant = options.variant ?? (/fashion/i.test(basename(dir)) ? 'fashion-mnist' : 'mnist');
  const classNames = MNIST_CLASS_NAMES[variant];
  if (!classNames) throw new InvalidArgumentError(`loadMnist option variant must be 'mnist' or 'fashion-mnist', got '${variant}'.`);

  const prefix = split === 'train' ? 'train' : 't10k';
  const imagePath = await findFile(dir, prefix, 'images', 3);
  const labelPath = await findFile(dir, prefix, 'labels', 1);
  const [img, lab] = await Promise.all([readIdx(imagePath, options), readIdx(labelPath, options)]);
  if (img.type !== 'uint8' || img.shape.length !== 3) {
    throw new DatasetError(`${imagePath}: expected uint8 images [n, rows, cols], found ${img.type}[${img.shape.join(', ')}].`, {
      file: imagePath,
    });
  }
  if (lab.type !== 'uint8' || lab.shape.length !== 1) {
    throw new DatasetError(`${labelPath}: expected uint8 labels [n], found ${lab.type}[${lab.shape.join(', ')}].`, { file: labelPath });
  }
  const [n, rows, cols] = img.shape;
  if (lab.shape[0] !== n) {
    throw new DatasetError(`${labelPath}: ${lab.shape[0]} labels for ${n} images in ${imagePath}; the counts must match.`, {
      file: labelPath,
    });
  }
  const count = Math.min(n, limit ?? n);
  const labels = new Uint8Array(lab.data.subarray(0, count) as Uint8Array);
  for (let i = 0; i < count; i++) {
    if (labels[i] >= classNames.length) {
      throw new DatasetError(`${labelPath}: label ${labels[i]} at index ${i} is not in 0..${classNames.length - 1}.`, {
        file: labelPath,
      });
    }
  }
  const per = rows * cols;
  const bytes = img.data as Uint8Array;
  const all = new Float32Array(count * per);
  for (let i = 0; i < all.length; i++) all[i] = bytes[i] / 255;
  const images: FloatImage[] = new Array(count);
  for (let i = 0; i < count; i++) {
    images[i] = { data: all.subarray(i * per, (i + 1) * per), width: cols, height: rows, channels: 1 };
  }
  return { images, labels, classNames: [...classNames] };
}
