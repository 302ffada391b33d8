/**
 * @file Where the committed tiny fixture model lives, for tests, examples and offline demos.
 */
import { fileURLToPath } from 'node:url';

/**
 * The folder of the tiny random-weight sentence encoder that ships with this package
 * (`models/tiny-sentence-encoder`, written by `scripts/make-tiny-model.mjs`). Its vectors carry
 * no meaning; it exists so code paths that load a Transformers.js model run without a network.
 *
 * @returns The absolute folder path, valid whether this module runs from `src/` or `dist/`.
 * @example
 * ```ts
 * const encoder = await SentenceEncoder.load(tinySentenceEncoderPath(), { localOnly: true });
 * ```
 */
export function tinySentenceEncoderPath(): string {
  // This file sits in src/pretrained/ and dist/pretrained/ alike, two levels below the package root.
  return fileURLToPath(new URL('../../models/tiny-sentence-encoder', import.meta.url));
}
