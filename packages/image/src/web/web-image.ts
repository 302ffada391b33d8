/**
 * @file Images in a page: `ImageData`, a `<canvas>` (or OffscreenCanvas) and a `Blob`/`File` to
 * the package's {@link FloatImage}, and back to `ImageData` for drawing a decoded image. The
 * conversion matches the Node reader's (read-image.ts): values `v / 255`, alpha flattened onto
 * black, grayscale by luminance (Rec. 709 weights, as libvips' `b-w`).
 *
 * The DOM types are described structurally here (the packages compile without the DOM library),
 * so any object with the same fields works, e.g. a test's plain `{ data, width, height }`.
 */
import { DecodeError, InvalidArgumentError } from '@latentkit/core';
import { assertFloatImage, type FloatImage } from '../io/float-image.js';

/** What this file reads of an `ImageData`: RGBA bytes, row-major. */
export interface ImageDataLike {
  readonly data: Uint8ClampedArray | Uint8Array;
  readonly width: number;
  readonly height: number;
}

/** What this file uses of a 2-D canvas context. */
interface Context2dLike {
  getImageData(x: number, y: number, w: number, h: number): ImageDataLike;
  drawImage(image: unknown, dx: number, dy: number, dw: number, dh: number): void;
  fillStyle: unknown;
  fillRect(x: number, y: number, w: number, h: number): void;
}

/** A `<canvas>` or `OffscreenCanvas`. */
export interface CanvasLike {
  readonly width: number;
  readonly height: number;
  getContext(type: '2d'): unknown;
}

/** Options of the converters: the model's input size and channels. */
export interface WebImageOptions {
  /** 1 = grayscale (luminance), 3 = RGB. @default 1 */
  channels?: 1 | 3;
  /** Output width; a Blob or canvas is scaled to it (a plain ImageData must already have it). */
  width?: number;
  /** Output height (as `width`). */
  height?: number;
}

const LUMA = [0.2126, 0.7152, 0.0722] as const;

/**
 * An `ImageData` (RGBA bytes) as a {@link FloatImage}.
 * @param image the pixels, e.g. `ctx.getImageData(0, 0, w, h)`.
 * @param options `channels`; `width`/`height`, which must equal the image's here (scale with
 *   {@link imageFromCanvas} or {@link imageFromBlob}).
 * @throws {InvalidArgumentError} for a size or byte count that does not fit.
 * @example
 * ```ts
 * const img = imageFromImageData(ctx.getImageData(0, 0, 28, 28), { channels: 1 });
 * ```
 */
export function imageFromImageData(image: ImageDataLike, options: WebImageOptions = {}): FloatImage {
  const { width, height, data } = image;
  const channels = options.channels ?? 1;
  if (channels !== 1 && channels !== 3) throw new InvalidArgumentError(`channels must be 1 or 3, got ${String(channels)}.`);
  if ((options.width !== undefined && options.width !== width) || (options.height !== undefined && options.height !== height)) {
    throw new InvalidArgumentError(`The ImageData is ${width}x${height}, not the ${options.width ?? width}x${options.height ?? height} asked for; scale it with imageFromCanvas or imageFromBlob.`);
  }
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0 || data.length !== width * height * 4) {
    throw new InvalidArgumentError(`An ImageData of ${width}x${height} must hold ${width * height * 4} RGBA bytes, found ${data.length}.`);
  }
  const out = new Float32Array(width * height * channels);
  for (let p = 0; p < width * height; p++) {
    // Flattened onto black, as the Node reader does: a transparent pixel reads as 0.
    const a = data[p * 4 + 3] / 255;
    const r = (data[p * 4] / 255) * a;
    const g = (data[p * 4 + 1] / 255) * a;
    const b = (data[p * 4 + 2] / 255) * a;
    if (channels === 1) out[p] = Math.min(1, LUMA[0] * r + LUMA[1] * g + LUMA[2] * b);
    else {
      out[p * 3] = r;
      out[p * 3 + 1] = g;
      out[p * 3 + 2] = b;
    }
  }
  return { data: out, width, height, channels };
}

function context2d(canvas: CanvasLike): Context2dLike {
  const ctx = canvas.getContext('2d') as Context2dLike | null;
  if (!ctx) throw new InvalidArgumentError('The canvas gives no 2-D context (it already has a WebGL one?).');
  return ctx;
}

/** A canvas of `w` x `h` to draw into: OffscreenCanvas where it exists (workers too), else a `<canvas>`. */
function scratchCanvas(w: number, h: number): CanvasLike {
  const g = globalThis as { OffscreenCanvas?: new (w: number, h: number) => CanvasLike; document?: { createElement(t: 'canvas'): CanvasLike & { width: number; height: number } } };
  if (g.OffscreenCanvas) return new g.OffscreenCanvas(w, h);
  if (g.document) {
    const c = g.document.createElement('canvas');
    c.width = w;
    c.height = h;
    return c;
  }
  throw new InvalidArgumentError('Scaling an image needs a canvas (OffscreenCanvas or document); this runtime has neither.');
}

/** Draws `source` scaled to `w` x `h` on black and reads it back. */
function drawScaled(source: unknown, w: number, h: number): ImageDataLike {
  const ctx = context2d(scratchCanvas(w, h));
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, w, h);
  ctx.drawImage(source, 0, 0, w, h);
  return ctx.getImageData(0, 0, w, h);
}

/**
 * A canvas's pixels as a {@link FloatImage}, scaled to `width` x `height` when given.
 * @example
 * ```ts
 * const img = imageFromCanvas(document.querySelector('canvas')!, { width: 28, height: 28 });
 * ```
 */
export function imageFromCanvas(canvas: CanvasLike, options: WebImageOptions = {}): FloatImage {
  const w = options.width ?? canvas.width;
  const h = options.height ?? canvas.height;
  const pixels = w === canvas.width && h === canvas.height ? context2d(canvas).getImageData(0, 0, w, h) : drawScaled(canvas, w, h);
  return imageFromImageData(pixels, { channels: options.channels ?? 1 });
}

/**
 * Decodes an image file (a `Blob` or `File`: PNG, JPEG, WebP, whatever the browser decodes) to a
 * {@link FloatImage}, scaled to `width` x `height` when given.
 * @throws {DecodeError} when the browser cannot decode the bytes.
 * @example
 * ```ts
 * const img = await imageFromBlob(input.files[0], { width: 28, height: 28, channels: 1 });
 * ```
 */
export async function imageFromBlob(blob: Blob, options: WebImageOptions = {}): Promise<FloatImage> {
  const create = (globalThis as { createImageBitmap?: (b: Blob) => Promise<{ width: number; height: number; close(): void }> }).createImageBitmap;
  if (!create) throw new InvalidArgumentError('Decoding an image Blob needs createImageBitmap (a browser or Web Worker).');
  let bitmap;
  try {
    bitmap = await create(blob);
  } catch (e) {
    throw new DecodeError(`The browser cannot decode this ${blob.type || 'image'} Blob of ${blob.size} bytes (${(e as Error).message}).`, { cause: e });
  }
  try {
    const w = options.width ?? bitmap.width;
    const h = options.height ?? bitmap.height;
    return imageFromImageData(drawScaled(bitmap, w, h), { channels: options.channels ?? 1 });
  } finally {
    bitmap.close();
  }
}

/**
 * A {@link FloatImage} as RGBA bytes for `new ImageData(bytes, width, height)` or `putImageData`.
 * @example
 * ```ts
 * const [decoded] = await model.decode([code]);
 * const rgba = imageToRgba(decoded);
 * ctx.putImageData(new ImageData(rgba, decoded.width, decoded.height), 0, 0);
 * ```
 */
export function imageToRgba(image: FloatImage): Uint8ClampedArray<ArrayBuffer> {
  assertFloatImage(image);
  const { width, height, channels, data } = image;
  const out = new Uint8ClampedArray(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    for (let c = 0; c < 3; c++) out[p * 4 + c] = Math.round(data[channels === 1 ? p : p * 3 + c] * 255);
    out[p * 4 + 3] = 255;
  }
  return out;
}
