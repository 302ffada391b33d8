/**
 * @file Image quality metrics: mean squared error, PSNR and SSIM, for one pair of images or
 * averaged over two equally long lists. Plain JS over `FloatImage`s (data range 1), so they
 * need no engine and give the same numbers everywhere.
 */
import { EmptyInputError, mse as meanSquaredError, ShapeMismatchError } from '@latentkit/core';
import { assertFloatImage, type FloatImage } from '../io/float-image.js';

/** SSIM constants of Wang et al. (2004) for data range 1. */
const SSIM_K1 = 0.01;
const SSIM_K2 = 0.03;
const SSIM_WINDOW = 11;
const SSIM_SIGMA = 1.5;

function checkPair(a: FloatImage, b: FloatImage, what: string): void {
  assertFloatImage(a, `${what} a`);
  assertFloatImage(b, `${what} b`);
  if (a.width !== b.width || a.height !== b.height || a.channels !== b.channels) {
    throw new ShapeMismatchError(
      `${what}: images differ in size: ${a.width}x${a.height}x${a.channels} vs ${b.width}x${b.height}x${b.channels}.`,
    );
  }
}

/** Applies a per-pair metric to one pair, or averages it over two lists. */
function overPairs(name: string, a: FloatImage | readonly FloatImage[], b: FloatImage | readonly FloatImage[], one: (x: FloatImage, y: FloatImage) => number): number {
  if (!Array.isArray(a) && !Array.isArray(b)) return one(a as FloatImage, b as FloatImage);
  const values = perImage(one, a as readonly FloatImage[], b as readonly FloatImage[], name);
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/**
 * Applies a pairwise image metric to each pair of two lists.
 *
 * @param metric `mse`, `psnr`, `ssim` or any `(a, b) => number`.
 * @param a the first list (e.g. the originals).
 * @param b the second list, as long as `a`.
 * @param name how to name the caller in an error. @default 'perImage'
 * @returns one value per pair, in order.
 * @throws {EmptyInputError} when the lists are empty.
 * @throws {ShapeMismatchError} when the lists differ in length or a pair differs in size.
 * @example
 * ```ts
 * const scores = perImage(psnr, originals, reconstructions); // number[]
 * ```
 */
export function perImage(metric: (a: FloatImage, b: FloatImage) => number, a: readonly FloatImage[], b: readonly FloatImage[], name = 'perImage'): number[] {
  if (!Array.isArray(a) || !Array.isArray(b)) throw new ShapeMismatchError(`${name}: pass two images or two lists of images.`);
  if (a.length !== b.length) throw new ShapeMismatchError(`${name}: lists differ in length: ${a.length} vs ${b.length}.`);
  if (a.length === 0) throw new EmptyInputError(`${name}: needs at least one pair of images, got none.`);
  return a.map((x, i) => metric(x, b[i]));
}

function mseOne(a: FloatImage, b: FloatImage): number {
  checkPair(a, b, 'mse');
  return meanSquaredError(a.data, b.data);
}

/**
 * Mean squared error of two images (over every value), or its mean over two lists.
 *
 * @param a an image, or a list of images.
 * @param b an image of the same size, or a list as long as `a`.
 * @returns the error; 0 for identical images.
 * @throws {ShapeMismatchError} when sizes or lengths differ.
 * @throws {EmptyInputError} for empty lists.
 * @example
 * ```ts
 * mse(original, reconstruction); // e.g. 0.008
 * mse(originals, reconstructions); // mean over the pairs
 * ```
 */
export function mse(a: FloatImage, b: FloatImage): number;
export function mse(a: readonly FloatImage[], b: readonly FloatImage[]): number;
export function mse(a: FloatImage | readonly FloatImage[], b: FloatImage | readonly FloatImage[]): number {
  return overPairs('mse', a, b, mseOne);
}

function psnrOne(a: FloatImage, b: FloatImage): number {
  const e = mseOne(a, b);
  return e === 0 ? Infinity : -10 * Math.log10(e);
}

/**
 * Peak signal-to-noise ratio in dB for data range 1: `10 log10(1 / mse)`. Identical images
 * give `Infinity` (no cap). Over two lists: the mean of the per-image values (so a list with
 * one identical pair has mean `Infinity`).
 *
 * @param a an image, or a list of images.
 * @param b an image of the same size, or a list as long as `a`.
 * @returns PSNR in dB.
 * @throws {ShapeMismatchError} when sizes or lengths differ.
 * @throws {EmptyInputError} for empty lists.
 * @example
 * ```ts
 * psnr(clean, denoised); // e.g. 18.2
 * ```
 */
export function psnr(a: FloatImage, b: FloatImage): number;
export function psnr(a: readonly FloatImage[], b: readonly FloatImage[]): number;
export function psnr(a: FloatImage | readonly FloatImage[], b: FloatImage | readonly FloatImage[]): number {
  return overPairs('psnr', a, b, psnrOne);
}

/** The normalised 1-D gaussian of the SSIM window (the 2-D window is its outer product). */
function gaussianWindow(size: number): Float64Array {
  const w = new Float64Array(size);
  const c = (size - 1) / 2;
  let s = 0;
  for (let i = 0; i < size; i++) {
    w[i] = Math.exp(-((i - c) ** 2) / (2 * SSIM_SIGMA * SSIM_SIGMA));
    s += w[i];
  }
  for (let i = 0; i < size; i++) w[i] /= s;
  return w;
}

/** 'valid' separable filtering of one channel of an HWC image. */
function filterValid(src: Float64Array, h: number, w: number, win: Float64Array): Float64Array {
  const k = win.length;
  const ow = w - k + 1;
  const oh = h - k + 1;
  const tmp = new Float64Array(h * ow);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < ow; x++) {
      let s = 0;
      for (let i = 0; i < k; i++) s += win[i] * src[y * w + x + i];
      tmp[y * ow + x] = s;
    }
  }
  const out = new Float64Array(oh * ow);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      let s = 0;
      for (let i = 0; i < k; i++) s += win[i] * tmp[(y + i) * ow + x];
      out[y * ow + x] = s;
    }
  }
  return out;
}

function ssimOne(a: FloatImage, b: FloatImage): number {
  checkPair(a, b, 'ssim');
  const { width: w, height: h, channels: ch } = a;
  // Images smaller than the 11x11 window get the largest odd window that fits.
  let size = Math.min(SSIM_WINDOW, w, h);
  if (size % 2 === 0) size -= 1;
  const win = gaussianWindow(size);
  const c1 = (SSIM_K1 * 1) ** 2;
  const c2 = (SSIM_K2 * 1) ** 2;
  const n = w * h;
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  const xx = new Float64Array(n);
  const yy = new Float64Array(n);
  const xy = new Float64Array(n);
  let total = 0;
  for (let c = 0; c < ch; c++) {
    for (let i = 0; i < n; i++) {
      const u = a.data[i * ch + c];
      const v = b.data[i * ch + c];
      x[i] = u;
      y[i] = v;
      xx[i] = u * u;
      yy[i] = v * v;
      xy[i] = u * v;
    }
    const mx = filterValid(x, h, w, win);
    const my = filterValid(y, h, w, win);
    const sxx = filterValid(xx, h, w, win);
    const syy = filterValid(yy, h, w, win);
    const sxy = filterValid(xy, h, w, win);
    let sum = 0;
    for (let i = 0; i < mx.length; i++) {
      const mux = mx[i];
      const muy = my[i];
      const vx = sxx[i] - mux * mux;
      const vy = syy[i] - muy * muy;
      const cov = sxy[i] - mux * muy;
      sum += ((2 * mux * muy + c1) * (2 * cov + c2)) / ((mux * mux + muy * muy + c1) * (vx + vy + c2));
    }
    total += sum / mx.length;
  }
  return total / ch;
}

/**
 * Structural similarity (Wang et al. 2004) with the standard settings: 11x11 gaussian window
 * of sigma 1.5, K1 = 0.01, K2 = 0.03, data range 1, mean over the 'valid' window positions,
 * then over channels. Images smaller than 11 pixels on a side use the largest odd window that
 * fits. Over two lists: the mean of the per-image values.
 *
 * @param a an image, or a list of images.
 * @param b an image of the same size, or a list as long as `a`.
 * @returns SSIM in [-1, 1]; 1 for identical images.
 * @throws {ShapeMismatchError} when sizes or lengths differ.
 * @throws {EmptyInputError} for empty lists.
 * @example
 * ```ts
 * ssim(original, reconstruction); // e.g. 0.93
 * ```
 */
export function ssim(a: FloatImage, b: FloatImage): number;
export function ssim(a: readonly FloatImage[], b: readonly FloatImage[]): number;
export function ssim(a: FloatImage | readonly FloatImage[], b: FloatImage | readonly FloatImage[]): number {
  return overPairs('ssim', a, b, ssimOne);
}
