/**
 * @file Reading inputs for a loaded model (images resized to its input shape, WAVs) and
 * naming per-input output files. Decoding is the modality packages' job; this only calls them.
 */
import { basename, extname } from 'node:path';
import type { AudioClip } from '@latentkit/audio';
import type { Latent } from '@latentkit/core';
import type { FloatImage } from '@latentkit/image';
import { countProgress, type ProgressOptions } from './progress.js';
import { expandInputs } from './inputs.js';

/**
 * A safe output file name for input `i`: its zero-padded index and its stem (characters
 * outside `[A-Za-z0-9._-]` replaced), so names sort in input order and never collide.
 * @param i input index.
 * @param file the input path (or any label).
 * @param ext extension with the dot.
 * @param width digits of the index. @default 4
 */
export function outputName(i: number, file: string, ext: string, width = 4): string {
  const stem = basename(file, extname(file)).replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '').slice(0, 80) || 'item';
  return `${String(i).padStart(width, '0')}-${stem}${ext}`;
}

/** Expands `--in` into image files (see expandInputs). */
export async function imageFiles(paths: readonly string[]): Promise<string[]> {
  const image = await import('@latentkit/image');
  return expandInputs(paths, image.IMAGE_EXTENSIONS, 'image');
}

/** Expands `--in` into WAV files (see expandInputs). */
export function wavFiles(paths: readonly string[]): Promise<string[]> {
  return expandInputs(paths, ['.wav', '.wave'], 'WAV');
}

/**
 * Decodes image files at a model's input shape.
 * @param files image files.
 * @param shape `[height, width, channels]`.
 * @param progress progress options.
 * @returns the images, in order.
 * @throws {DecodeError} (and the other readImage errors) naming the file.
 */
export async function readImagesForModel(files: readonly string[], shape: readonly number[], progress: ProgressOptions): Promise<FloatImage[]> {
  const image = await import('@latentkit/image');
  const [height, width, channels] = shape;
  const p = countProgress('reading images', files.length, progress);
  const images: FloatImage[] = [];
  try {
    for (let s = 0; s < files.length; s += 64) {
      const chunk = files.slice(s, s + 64);
      images.push(...(await image.readImages(chunk, { width, height, channels: channels as 1 | 3 })));
      p.tick(chunk.length);
    }
  } finally {
    p.stop();
  }
  return images;
}

/**
 * Decodes WAV files.
 * @param files WAV files.
 * @param progress progress options.
 * @returns the clips, in order.
 * @throws {DecodeError} (and the other readWav errors) naming the file.
 */
export async function readClips(files: readonly string[], progress: ProgressOptions): Promise<AudioClip[]> {
  const audio = await import('@latentkit/audio');
  const p = countProgress('reading audio', files.length, progress);
  const clips: AudioClip[] = [];
  try {
    for (const f of files) {
      clips.push(await audio.readWav(f));
      p.tick();
    }
  } finally {
    p.stop();
  }
  return clips;
}

/** The part of a model {@link encodeWithProgress} needs. */
export interface EncoderLike<I> {
  encode(inputs: I[], options?: { parts?: readonly string[] }): Promise<Latent[]>;
}

/**
 * Encodes inputs in chunks, showing progress for long runs.
 * @param model any encoder.
 * @param inputs the inputs.
 * @param label progress label.
 * @param progress progress options.
 * @param chunk inputs per call. @default 256
 * @param parts the named parts the caller will use (models may skip computing the others);
 *   undefined: all.
 * @returns one latent per input, in order.
 */
export async function encodeWithProgress<I>(
  model: EncoderLike<I>,
  inputs: readonly I[],
  label: string,
  progress: ProgressOptions,
  chunk = 256,
  parts?: readonly string[],
): Promise<Latent[]> {
  const p = countProgress(label, inputs.length, progress);
  const out: Latent[] = [];
  try {
    for (let s = 0; s < inputs.length; s += chunk) {
      const part = inputs.slice(s, s + chunk);
      out.push(...(await model.encode(part, parts ? { parts } : {})));
      p.tick(part.length);
    }
  } finally {
    p.stop();
  }
  return out;
}
