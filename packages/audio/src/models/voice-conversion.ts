/**
 * @file Voice conversion helpers: a speaker code from a clip or a latent, and the cosine of
 * two speaker codes (the speech autoencoder's `convert` and `speakerSimilarity` use them).
 */
import { ShapeMismatchError, type Latent } from '@latentkit/core';
import type { AudioClip } from '../io/audio-clip.js';

/** A clip or a latent this model made. */
export type ClipOrLatent = AudioClip | Latent;

export function isLatent(x: ClipOrLatent): x is Latent {
  return (x as Latent).data instanceof Float32Array && Array.isArray((x as Latent).shape);
}

/**
 * The speaker code a clip or latent stands for: a latent's `speaker` part, a bare speaker-code
 * latent, or the speaker part of `encode(clip)`.
 * @param x a clip or a latent.
 * @param speakerDim the model's speaker-code size.
 * @param encode the model's encoder.
 * @param index the argument's position, for messages.
 * @throws {ShapeMismatchError} for a latent without a speaker code of `speakerDim` values.
 */
export async function speakerCodeOf(x: ClipOrLatent, speakerDim: number, encode: (clips: AudioClip[]) => Promise<Latent[]>, index: number): Promise<Latent> {
  if (isLatent(x)) {
    const s = x.parts?.speaker ?? (x.shape.length === 1 && x.shape[0] === speakerDim ? x : undefined);
    if (!s || s.data.length !== speakerDim) {
      throw new ShapeMismatchError(`Argument ${index} is a latent without a ${speakerDim}-value speaker code (part 'speaker').`);
    }
    return s;
  }
  const [l] = await encode([x]);
  return l.parts!.speaker;
}

/** Cosine of two vectors (0 when either is zero). */
export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}
