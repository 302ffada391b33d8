/**
 * @file The size and channels image training data is read at (`--size WxH`, `--channels 1|3`)
 * and the stated policy behind them. Folder images are resized with sharp to cover the size
 * (aspect ratio kept) and centre-cropped; transparency is flattened onto black. Without
 * `--size` a folder is read at its first image's size, scaled down (aspect kept) so that
 * neither side exceeds {@link DEFAULT_MAX_SIDE}; without `--channels`, grayscale when that
 * image is grayscale, else RGB. The model config records the policy (`input`), so `encode`
 * and `reconstruct` read files the same way.
 */
import { InvalidArgumentError, type Settings } from '@latentkit/core';
import { DEFAULT_INPUT_POLICY, MAX_IMAGE_SIDE, type ImageInputPolicy } from '../models/image-autoencoder.js';

/** Longest side a folder is read at when `--size` is not given (a conv AE on 64x64 trains in minutes on a CPU). */
export const DEFAULT_MAX_SIDE = 64;

/** The shape and policy images are read at. */
export interface ImageReadSpec {
  width: number;
  height: number;
  channels: 1 | 3;
  policy: ImageInputPolicy;
}

/**
 * Parses `--size`: `WxH` (e.g. `64x48`) or a single number for a square.
 * @throws {InvalidArgumentError} naming the value, for anything else or a side outside 1..4096.
 * @example
 * ```ts
 * parseImageSize('64x48'); // { width: 64, height: 48 }
 * ```
 */
export function parseImageSize(value: unknown): { width: number; height: number } {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  const m = /^(\d+)(?:\s*[xX×]\s*(\d+))?$/.exec(text);
  if (!m) throw new InvalidArgumentError(`--size must be WIDTHxHEIGHT in pixels (e.g. 64x64) or one number for a square, got ${JSON.stringify(value)}.`);
  const width = Number(m[1]);
  const height = Number(m[2] ?? m[1]);
  for (const [name, v] of [['width', width], ['height', height]] as const) {
    if (v < 1 || v > MAX_IMAGE_SIDE) throw new InvalidArgumentError(`--size ${name} must be between 1 and ${MAX_IMAGE_SIDE} pixels, got ${v} (from ${JSON.stringify(value)}).`);
  }
  return { width, height };
}

/**
 * Parses `--channels`: 1 (grayscale) or 3 (RGB).
 * @throws {InvalidArgumentError} for any other value.
 */
export function parseChannels(value: unknown): 1 | 3 {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (n !== 1 && n !== 3) throw new InvalidArgumentError(`--channels must be 1 (grayscale) or 3 (RGB), got ${JSON.stringify(value)}.`);
  return n;
}

/** `width x height` scaled down (aspect kept) so neither side exceeds `maxSide`. */
export function fitWithin(width: number, height: number, maxSide = DEFAULT_MAX_SIDE): { width: number; height: number } {
  const scale = Math.min(1, maxSide / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/**
 * The read spec of a dataset: `--size`/`--channels` from `settings` where given, else from the
 * first image (`first`), as the file's comment states.
 * @throws {InvalidArgumentError} for a bad `size` or `channels`.
 */
export function readSpecOf(settings: Settings | undefined, first: { width: number; height: number; channels: number }): ImageReadSpec {
  const size = settings?.size !== undefined ? parseImageSize(settings.size) : fitWithin(first.width, first.height);
  const channels = settings?.channels !== undefined ? parseChannels(settings.channels) : first.channels === 1 ? 1 : 3;
  return { ...size, channels, policy: { ...DEFAULT_INPUT_POLICY } };
}

/**
 * For layouts of fixed shape (MNIST files, the embedded glyphs): refuses `--size`/`--channels`
 * that ask for another shape rather than silently ignoring them.
 * @throws {InvalidArgumentError} naming the layout's shape.
 */
export function checkFixedShape(settings: Settings | undefined, what: string, shape: { width: number; height: number; channels: 1 | 3 }): void {
  if (settings?.size !== undefined) {
    const s = parseImageSize(settings.size);
    if (s.width !== shape.width || s.height !== shape.height) {
      throw new InvalidArgumentError(`--size ${String(settings.size)} does not apply to ${what}: its images are ${shape.width}x${shape.height}. --size resizes image folders; give a folder of image files to train at another size.`);
    }
  }
  if (settings?.channels !== undefined && parseChannels(settings.channels) !== shape.channels) {
    throw new InvalidArgumentError(`--channels ${String(settings.channels)} does not apply to ${what}: its images have ${shape.channels} channel(s).`);
  }
}

/** `28x28 grayscale, resized to cover and centre-cropped` — how a dataset's source line states the policy. */
export function describeReadSpec(spec: ImageReadSpec): string {
  const how = spec.policy.fit === 'cover' ? 'resized to cover and centre-cropped' : spec.policy.fit === 'contain' ? 'letterboxed' : 'stretched';
  return `${spec.width}x${spec.height} ${spec.channels === 1 ? 'grayscale' : 'RGB'}, ${how}`;
}
