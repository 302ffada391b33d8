/**
 * @file Decoding PNG, JPEG, WebP, GIF and TIFF files or buffers into {@link FloatImage}s
 * through sharp, with resizing to a model's input size and safety limits for untrusted input.
 */
import { stat } from 'node:fs/promises';
import sharp from 'sharp';
import type { Metadata, OutputInfo } from 'sharp';
import { DecodeError, EmptyInputError, InputLimitError, InvalidArgumentError, UnsupportedFormatError } from '@latentkit/core';
import type { FloatImage } from './float-image.js';
import { mapLimit } from './map-limit.js';

/** How an image is fitted into a requested `width` x `height`. */
export type ImageFit = 'cover' | 'contain' | 'fill';

/** Options of {@link readImage}. */
export interface ReadImageOptions {
  /**
   * Output width in pixels. With only one of `width`/`height` the other follows the aspect ratio.
   * @default the source width
   */
  width?: number;
  /**
   * Output height in pixels.
   * @default the source height
   */
  height?: number;
  /**
   * 1 = grayscale (luminance), 3 = RGB.
   * @default 1 for grayscale sources, 3 otherwise
   */
  channels?: 1 | 3;
  /**
   * `cover` crops to fill the box (centre crop), `contain` letterboxes with `background`,
   * `fill` stretches and ignores the aspect ratio.
   * @default 'cover'
   */
  fit?: ImageFit;
  /**
   * Transparent pixels are flattened onto this colour (the alpha channel is dropped), and
   * `contain` pads with it. Black matches MNIST-style data (white ink on black).
   * @default 'black'
   */
  background?: 'black' | 'white';
  /**
   * Refuse sources with more pixels (width x height, from the header, before decoding) and
   * outputs larger than this.
   * @default 50_000_000
   */
  maxPixels?: number;
  /** How to name encoded bytes in error messages (a path names itself). @default '<buffer>' */
  name?: string;
}

/** Image formats {@link readImage} accepts (sharp's names). */
export const SUPPORTED_IMAGE_FORMATS: readonly string[] = ['png', 'jpeg', 'webp', 'gif', 'tiff'];

/** File extensions of {@link SUPPORTED_IMAGE_FORMATS}, lower case, with the dot. */
export const IMAGE_EXTENSIONS: readonly string[] = ['.png', '.jpg', '.jpeg', '.webp', '.gif', '.tif', '.tiff'];

const DEFAULT_MAX_PIXELS = 50_000_000;
const BUFFER_NAME = '<buffer>';

interface Resolved {
  width?: number;
  height?: number;
  channels?: 1 | 3;
  fit: ImageFit;
  background: { r: number; g: number; b: number; alpha: number };
  maxPixels: number;
}

function resolve(options: ReadImageOptions): Resolved {
  const { width, height, channels, fit = 'cover', background = 'black', maxPixels = DEFAULT_MAX_PIXELS } = options;
  for (const [name, v] of [['width', width], ['height', height]] as const) {
    if (v !== undefined && (!Number.isInteger(v) || v < 1)) {
      throw new InvalidArgumentError(`readImage option ${name} must be a positive integer, got ${v}.`);
    }
  }
  if (channels !== undefined && channels !== 1 && channels !== 3) {
    throw new InvalidArgumentError(`readImage option channels must be 1 or 3, got ${String(channels)}.`);
  }
  if (fit !== 'cover' && fit !== 'contain' && fit !== 'fill') {
    throw new InvalidArgumentError(`readImage option fit must be 'cover', 'contain' or 'fill', got '${String(fit)}'.`);
  }
  if (background !== 'black' && background !== 'white') {
    throw new InvalidArgumentError(`readImage option background must be 'black' or 'white', got '${String(background)}'.`);
  }
  if (!Number.isInteger(maxPixels) || maxPixels < 1) {
    throw new InvalidArgumentError(`readImage option maxPixels must be a positive integer, got ${maxPixels}.`);
  }
  const v = background === 'white' ? 255 : 0;
  return { width, height, channels, fit, background: { r: v, g: v, b: v, alpha: 1 }, maxPixels };
}

/** Maps sharp/libvips failures to latentkit errors that name the file and the problem. */
function toLatentkitError(e: unknown, name: string, maxPixels: number): Error {
  const msg = e instanceof Error ? e.message.split('\n')[0].trim() : String(e);
  if (/exceeds pixel limit/i.test(msg)) {
    // libvips does not say how many pixels it saw; more than the limit is all we know.
    return new InputLimitError(`${name}: image has more than ${maxPixels} pixels (maxPixels); refusing to decode it.`, 'maxPixels', maxPixels, maxPixels + 1, {
      file: name,
      cause: e,
      hint: 'Raise the maxPixels option if this image is trusted.',
    });
  }
  if (/unsupported image format/i.test(msg)) {
    return new DecodeError(
      `${name}: not a recognised image (expected ${SUPPORTED_IMAGE_FORMATS.join(', ')}).`,
      { file: name, cause: e },
    );
  }
  if (/missing|no such file|ENOENT/i.test(msg)) {
    return new DecodeError(`${name}: file does not exist.`, { file: name, cause: e });
  }
  return new DecodeError(`${name}: cannot decode image (${msg || 'unknown error'}); the file is truncated or corrupt.`, {
    file: name,
    cause: e,
  });
}

async function checkFile(path: string): Promise<void> {
  let st;
  try {
    st = await stat(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DecodeError(`${path}: cannot read image (${code === 'ENOENT' ? 'file does not exist' : String(code ?? e)}).`, {
      file: path,
      cause: e,
    });
  }
  if (!st.isFile()) throw new DecodeError(`${path}: not a regular file.`, { file: path });
  if (st.size === 0) throw new EmptyInputError(`${path}: image file is empty (0 bytes).`, { file: path });
}

/**
 * Decodes one image (PNG, JPEG, WebP, GIF first frame, TIFF first page) into a
 * {@link FloatImage} with values `v / 255`, applying the EXIF orientation, flattening any
 * alpha onto `background` (black by default), then resizing to `width` x `height` with `fit`.
 * The header is checked against `maxPixels` before any pixel is decoded.
 *
 * @param source a file path or the encoded bytes.
 * @param options output size, channels, fit, alpha background and pixel limit.
 * @returns the decoded image.
 * @throws {DecodeError} for a missing, unreadable, truncated or corrupt file, or one that is
 *   not an image; the message names the file (or `<buffer>`).
 * @throws {UnsupportedFormatError} for an image in another format (SVG, HEIF, ...).
 * @throws {InputLimitError} (an InputTooLargeError) when the source or the requested output exceeds `maxPixels`.
 * @throws {EmptyInputError} for a zero-byte file or buffer.
 * @throws {InvalidArgumentError} for invalid options.
 * @example
 * ```ts
 * const digit = await readImage('seven.png', { width: 28, height: 28, channels: 1 });
 * digit.data.length; // 784
 * ```
 */
export async function readImage(source: string | Uint8Array, options: ReadImageOptions = {}): Promise<FloatImage> {
  const o = resolve(options);
  const name = typeof source === 'string' ? source : (options.name ?? BUFFER_NAME);
  if (typeof source === 'string') await checkFile(source);
  else if (!(source instanceof Uint8Array)) {
    throw new InvalidArgumentError(`readImage source must be a path or a Uint8Array, got ${typeof source}.`);
  } else if (source.length === 0) throw new EmptyInputError(`${name}: image is empty (0 bytes).`, options.name ? { file: name } : {});

  // 'error' rejects truncated and corrupt pixel data; 'warning' would also refuse common,
  // harmless oddities such as PNGs with a slightly wrong sRGB profile.
  const input = { failOn: 'error' as const, limitInputPixels: o.maxPixels, animated: false, pages: 1 };
  let meta: Metadata;
  try {
    // The header is read without libvips' pixel limit so that our check below can say how
    // many pixels the image has; metadata() decodes no pixels, and the decode keeps the limit.
    meta = await sharp(source, { ...input, limitInputPixels: false }).metadata();
  } catch (e) {
    throw toLatentkitError(e, name, o.maxPixels);
  }
  const format = String(meta.format ?? 'unknown');
  if (!SUPPORTED_IMAGE_FORMATS.includes(format)) {
    throw new UnsupportedFormatError(
      `${name}: ${format} images are not supported; use ${SUPPORTED_IMAGE_FORMATS.join(', ')}.`,
      { file: name },
    );
  }
  const srcW = meta.autoOrient?.width ?? meta.width ?? 0;
  const srcH = meta.autoOrient?.height ?? meta.height ?? 0;
  if (srcW * srcH > o.maxPixels) {
    throw new InputLimitError(`${name}: image is ${srcW}x${srcH}, more than maxPixels=${o.maxPixels}.`, 'maxPixels', o.maxPixels, srcW * srcH, { file: name });
  }
  const outW = o.width ?? (o.height ? Math.max(1, Math.round((srcW * o.height) / srcH)) : srcW);
  const outH = o.height ?? (o.width ? Math.max(1, Math.round((srcH * o.width) / srcW)) : srcH);
  if (outW * outH > o.maxPixels) {
    throw new InputLimitError(`${name}: requested output ${outW}x${outH} is more than maxPixels=${o.maxPixels}.`, 'maxPixels', o.maxPixels, outW * outH, {
      file: name,
    });
  }
  // Sources with 1 or 2 bands (gray, gray+alpha) stay gray unless RGB is asked for.
  const channels: 1 | 3 = o.channels ?? ((meta.channels ?? 3) <= 2 && meta.space !== 'cmyk' ? 1 : 3);

  let pipeline = sharp(source, { ...input, autoOrient: true }).flatten({ background: o.background });
  if (outW !== srcW || outH !== srcH) {
    pipeline = pipeline.resize(outW, outH, { fit: o.fit, background: o.background, position: 'centre' });
  }
  pipeline = channels === 1 ? pipeline.toColourspace('b-w') : pipeline.toColourspace('srgb');
  let raw: { data: Buffer; info: OutputInfo };
  try {
    raw = await pipeline.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  } catch (e) {
    throw toLatentkitError(e, name, o.maxPixels);
  }
  const { data, info } = raw;
  if (info.channels !== channels || info.width !== outW || info.height !== outH) {
    // Defensive: libvips should always honour the colourspace and size asked for.
    throw new DecodeError(
      `${name}: decoder returned ${info.width}x${info.height}x${info.channels}, expected ${outW}x${outH}x${channels}.`,
      { file: name },
    );
  }
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i] / 255;
  return { data: out, width: outW, height: outH, channels };
}

/** Options of {@link readImages}. */
export interface ReadImagesOptions extends ReadImageOptions {
  /**
   * How many images are decoded at the same time (sharp decodes on libuv's thread pool).
   * @default 4
   */
  concurrency?: number;
}

/**
 * Decodes several images with {@link readImage}, a few at a time, keeping the input order.
 *
 * @param sources file paths or encoded buffers.
 * @param options as {@link readImage}, plus `concurrency`.
 * @returns the images in the order of `sources`.
 * @throws the first error {@link readImage} throws (which names the file).
 * @example
 * ```ts
 * const batch = await readImages(['a.png', 'b.jpg'], { width: 28, height: 28, channels: 1 });
 * ```
 */
export async function readImages(
  sources: readonly (string | Uint8Array)[],
  options: ReadImagesOptions = {},
): Promise<FloatImage[]> {
  const { concurrency = 4, ...readOptions } = options;
  return mapLimit(sources, concurrency, (s) => readImage(s, readOptions));
}
