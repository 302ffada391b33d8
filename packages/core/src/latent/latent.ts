/**
 * @file The shared currency of latentkit: a code produced by an encoder, with enough
 * metadata to know where it came from and how to read it.
 */
import { InvalidArgumentError, ShapeMismatchError } from '../errors/errors.js';

/** Well-known modalities; packages may add their own strings. */
export type Modality = 'image' | 'audio' | 'text' | (string & {});

/**
 * One encoded sample.
 *
 * `data` is row-major over `shape` (`[d]` for a vector, `[t, d]` for a code over time).
 * `parts` names sub-codes: the audio model returns `{ speaker, content }`, and the top-level
 * `data` is then the concatenation the model documents.
 */
export interface Latent {
  data: Float32Array;
  shape: number[];
  modality: Modality;
  /** The `kind` of the model that produced it, e.g. `image/conv-ae`. */
  model: string;
  parts?: Record<string, Latent>;
}

/**
 * Many latents of one shape stacked along a leading axis: `data` is `[n, ...shape]`.
 * This is what latent math (PCA, probes, CKA) and `.npy` export consume.
 */
export interface LatentBatch {
  data: Float32Array;
  /** `[n, ...sampleShape]`. */
  shape: number[];
  modality: Modality;
  model: string;
  parts?: Record<string, LatentBatch>;
}

/** Number of elements in a shape. */
export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * Builds a {@link Latent}, checking that `data` fits `shape`.
 * @throws {ShapeMismatchError} when `data.length` differs from the product of `shape`.
 */
export function makeLatent(
  data: Float32Array,
  shape: number[],
  modality: Modality,
  model: string,
  parts?: Record<string, Latent>,
): Latent {
  if (data.length !== shapeSize(shape)) {
    throw new ShapeMismatchError(
      `Latent data has ${data.length} values but shape [${shape.join(', ')}] needs ${shapeSize(shape)}.`,
    );
  }
  const latent: Latent = { data, shape: [...shape], modality, model };
  if (parts) latent.parts = parts;
  return latent;
}

/**
 * Stacks latents of identical shape into one batch (parts are stacked too).
 * @throws {InvalidArgumentError} on an empty list.
 * @throws {ShapeMismatchError} when shapes differ.
 * @example
 * ```ts
 * const batch = stackLatents(await model.encode(images)); // batch.shape = [n, 32]
 * ```
 */
export function stackLatents(latents: readonly Latent[]): LatentBatch {
  if (latents.length === 0) throw new InvalidArgumentError('Cannot stack an empty list of latents.');
  const first = latents[0];
  const size = shapeSize(first.shape);
  const data = new Float32Array(size * latents.length);
  latents.forEach((l, i) => {
    if (l.data.length !== size || l.shape.join() !== first.shape.join()) {
      throw new ShapeMismatchError(
        `Latent ${i} has shape [${l.shape.join(', ')}], expected [${first.shape.join(', ')}] like latent 0. ` +
          'Pick a fixed-size part (for example the pooled content code) before stacking.',
      );
    }
    data.set(l.data, i * size);
  });
  const batch: LatentBatch = {
    data,
    shape: [latents.length, ...first.shape],
    modality: first.modality,
    model: first.model,
  };
  if (first.parts) {
    const parts: Record<string, LatentBatch> = {};
    for (const name of Object.keys(first.parts)) {
      const sub = latents.map((l) => l.parts?.[name]);
      // Variable-length parts (a content code over time) cannot be stacked; leave them out.
      if (sub.every((s): s is Latent => s !== undefined && s.shape.join() === sub[0]!.shape.join())) {
        parts[name] = stackLatents(sub);
      }
    }
    batch.parts = parts;
  }
  return batch;
}

/** Splits a batch back into single latents. */
export function unstackLatents(batch: LatentBatch): Latent[] {
  const [n, ...shape] = batch.shape;
  const size = shapeSize(shape);
  const out: Latent[] = [];
  for (let i = 0; i < n; i++) {
    const l = makeLatent(batch.data.slice(i * size, (i + 1) * size), shape, batch.modality, batch.model);
    if (batch.parts) {
      l.parts = {};
      for (const [name, p] of Object.entries(batch.parts)) l.parts[name] = unstackLatents(p)[i];
    }
    out.push(l);
  }
  return out;
}

/**
 * Selects a named part of each latent (`'speaker'`, `'content'`), or the latents themselves
 * when `part` is undefined.
 * @throws {InvalidArgumentError} when a latent lacks the part.
 */
export function selectPart(latents: readonly Latent[], part?: string): Latent[] {
  if (part === undefined) return [...latents];
  return latents.map((l, i) => {
    const p = l.parts?.[part];
    if (!p) {
      const known = Object.keys(l.parts ?? {});
      throw new InvalidArgumentError(
        `Latent ${i} has no part '${part}'` + (known.length ? `; it has: ${known.join(', ')}.` : '; it has no parts.'),
      );
    }
    return p;
  });
}
