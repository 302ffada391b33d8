/**
 * @file Log-mel batches for the speech autoencoder: padding and masking, random training
 * crops, the active (non-silent) range of a clip, and the pooling weights that turn a content
 * code over time into the pooled content vector.
 */
import { createRng, InputTooLargeError, ShapeMismatchError, tf, type Latent } from '@latentkit/core';
import type { MelSpectrogram } from '../features/mel.js';

/**
 * Frame ranges `[start, end)` of `segments` near-equal parts of `frames` frames (the
 * segments the pooled content vector averages over). When there are fewer frames than
 * segments, segments repeat a frame, so none is empty.
 * @param frames number of frames (>= 1).
 * @param segments number of segments.
 * @returns one `[start, end)` pair per segment.
 * @example
 * ```ts
 * segmentBounds(10, 4); // [[0, 2], [2, 5], [5, 7], [7, 10]]
 * ```
 */
export function segmentBounds(frames: number, segments: number): [number, number][] {
  const out: [number, number][] = [];
  for (let k = 0; k < segments; k++) {
    let a = Math.floor((k * frames) / segments);
    let b = Math.floor(((k + 1) * frames) / segments);
    if (b <= a) {
      a = Math.min(a, frames - 1);
      b = a + 1;
    }
    out.push([a, b]);
  }
  return out;
}

/** Most padded frames in one batch of clips (encode, decode). */
export const MAX_BATCH_FRAMES = 16384;

/** Normalised log-mels of several clips, padded to one length. */
export interface MelBatch {
  /** `[b, t, nMels]`, zero on padded frames. */
  x: tf.Tensor3D;
  /** `[b, t, 1]`: 1 on valid frames. */
  mask: tf.Tensor3D;
  /** Valid frames per clip. */
  lengths: number[];
  /** Frames `[start, end)` between the first and last active (non-silent) frame of each clip. */
  active: [number, number][];
}

/**
 * Normalised log-mels of clips, cropped/padded into one batch. With `crop`, each clip longer
 * than `crop.frames` contributes a random window (seeded); shorter ones are padded. Without,
 * the batch is as long as the longest clip.
 * @param mels the clips' log-mels (model settings, not normalised).
 * @param norm per-band mean and standard deviation.
 * @param activityThreshold see {@link activeRange}.
 * @param crop training crops.
 */
export function melBatch(mels: readonly MelSpectrogram[], norm: { mean: number[]; std: number[] }, activityThreshold: number, crop?: { frames: number; seed: number }): MelBatch {
  const { mean, std } = norm;
  const m = mean.length;
  const lengths = mels.map((x) => (crop ? Math.min(x.frames, crop.frames) : x.frames));
  const t = Math.max(1, ...lengths);
  const b = mels.length;
  const x = new Float32Array(b * t * m);
  const mask = new Float32Array(b * t);
  const rng = crop ? createRng(crop.seed) : undefined;
  const inv = std.map((s) => 1 / s);
  const starts = new Array<number>(b).fill(0);
  mels.forEach((mel, i) => {
    const len = lengths[i];
    const start = rng && mel.frames > len ? Math.floor(rng() * (mel.frames - len + 1)) : 0;
    starts[i] = start;
    for (let f = 0; f < len; f++) {
      const src = (start + f) * m;
      const dst = (i * t + f) * m;
      for (let k = 0; k < m; k++) x[dst + k] = (mel.data[src + k] - mean[k]) * inv[k];
      mask[i * t + f] = 1;
    }
  });
  const active = mels.map((mel, i) => activeRange({ data: mel.data.subarray(starts[i] * m, (starts[i] + lengths[i]) * m), frames: lengths[i], nMels: m }, activityThreshold));
  return { x: tf.tensor3d(x, [b, t, m]), mask: tf.tensor3d(mask, [b, t, 1]), lengths, active };
}

/**
 * The frames from the first to the last whose mean log-mel is within `threshold` nats of the
 * loudest frame's: where the speech is. Pooling over this range keeps leading and trailing
 * silence (how a recording was cut, which says more about who made it than about what is
 * said) out of the pooled content vector.
 * @returns `[start, end)`.
 */
export function activeRange(mel: MelSpectrogram, threshold: number): [number, number] {
  const { frames, nMels: m, data } = mel;
  const level = new Float32Array(frames);
  let loudest = -Infinity;
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    for (let k = 0; k < m; k++) sum += data[f * m + k];
    level[f] = sum / m;
    if (level[f] > loudest) loudest = level[f];
  }
  const floor = loudest - threshold;
  let a = 0;
  while (a < frames - 1 && level[a] < floor) a++;
  let b = frames - 1;
  while (b > a && level[b] < floor) b--;
  return [a, b + 1];
}

/**
 * Segment-mean pooling weights `[b, segments, t]` over each clip's `[start, end)` range; with
 * `centred`, minus the range's mean (pooling and centring are one linear map).
 */
export function poolWeights(ranges: readonly [number, number][], t: number, segments: number, centred: boolean): tf.Tensor3D {
  const k = segments;
  const w = new Float32Array(ranges.length * k * t);
  ranges.forEach(([start, end], i) => {
    const centre = centred ? 1 / (end - start) : 0;
    segmentBounds(end - start, k).forEach(([a, b], s) => {
      for (let f = start; f < end; f++) w[(i * k + s) * t + f] = -centre;
      for (let f = start + a; f < start + b; f++) w[(i * k + s) * t + f] += 1 / (b - a);
    });
  });
  return tf.tensor3d(w, [ranges.length, k, t]);
}

/** Mean-over-range weights `[b, 1, t]` over each clip's `[start, end)` range. */
export function meanWeights(ranges: readonly [number, number][], t: number): tf.Tensor3D {
  const w = new Float32Array(ranges.length * t);
  ranges.forEach(([start, end], i) => w.fill(1 / (end - start), i * t + start, i * t + end));
  return tf.tensor3d(w, [ranges.length, 1, t]);
}

/**
 * Groups clip indices into batches of at most `batchSize` clips and ~{@link MAX_BATCH_FRAMES}
 * padded frames (frames counted at the model's rate and hop).
 */
export function batchesOf(clips: readonly { samples?: Float32Array; sampleRate: number }[], batchSize: number, sampleRate: number, hop: number): number[][] {
  const frames = clips.map((c) => Math.ceil(((c.samples?.length ?? 0) * (sampleRate / (c.sampleRate || 1))) / hop) + 1);
  const out: number[][] = [];
  let cur: number[] = [];
  let longest = 0;
  clips.forEach((_, i) => {
    const l = Math.max(longest, frames[i]);
    if (cur.length > 0 && (cur.length >= batchSize || l * (cur.length + 1) > MAX_BATCH_FRAMES)) {
      out.push(cur);
      cur = [];
      longest = 0;
    }
    cur.push(i);
    longest = Math.max(longest, frames[i]);
  });
  if (cur.length) out.push(cur);
  return out;
}

/**
 * Predicts normalised log-mels from content codes over time and speaker codes in batches of
 * 32, then undoes the normalisation.
 * @param decode the model's decoder on `[b, t, contentDim]`, `[b, speakerDim]`, mask `[b, t, 1]`.
 * @param dims the model's code sizes.
 * @param norm per-band mean and standard deviation.
 * @param contents `[frames, contentDim]` latents.
 * @param speakers `[speakerDim]` latents, one per content code.
 * @throws {ShapeMismatchError} when a code has the wrong shape.
 * @throws {InputTooLargeError} for content codes too long to decode at once.
 */
export async function decodeMels(
  decode: (z: tf.Tensor3D, s: tf.Tensor2D, mask: tf.Tensor3D) => tf.Tensor3D,
  dims: { contentDim: number; speakerDim: number },
  norm: { mean: number[]; std: number[] },
  contents: readonly Latent[],
  speakers: readonly Latent[],
): Promise<MelSpectrogram[]> {
  const { contentDim: dc, speakerDim: ds } = dims;
  const { mean, std } = norm;
  const m = mean.length;
  const out: MelSpectrogram[] = [];
  const bs = 32;
  for (let s0 = 0; s0 < contents.length; s0 += bs) {
    const cs = contents.slice(s0, s0 + bs);
    const ss = speakers.slice(s0, s0 + bs);
    const lengths = cs.map((c, i) => {
      if (c.shape.length !== 2 || c.shape[1] !== dc || c.data.length !== c.shape[0] * dc || c.shape[0] < 1) {
        throw new ShapeMismatchError(`Content code ${s0 + i} has shape [${c.shape.join(', ')}]; this model decodes [frames, ${dc}] with frames >= 1.`);
      }
      return c.shape[0];
    });
    ss.forEach((s, i) => {
      if (s.data.length !== ds) throw new ShapeMismatchError(`Speaker code ${s0 + i} has ${s.data.length} values; this model's speaker codes have ${ds}.`);
    });
    const t = Math.max(...lengths);
    if (t * cs.length > MAX_BATCH_FRAMES * 4) throw new InputTooLargeError(`Content codes of ${t} frames are too long to decode at once.`);
    const z = new Float32Array(cs.length * t * dc);
    const mask = new Float32Array(cs.length * t);
    const spk = new Float32Array(cs.length * ds);
    cs.forEach((c, i) => {
      z.set(c.data, i * t * dc);
      mask.fill(1, i * t, i * t + lengths[i]);
      spk.set(ss[i].data, i * ds);
    });
    const y = tf.tidy(() => decode(tf.tensor3d(z, [cs.length, t, dc]), tf.tensor2d(spk, [cs.length, ds]), tf.tensor3d(mask, [cs.length, t, 1])));
    const data = (await y.data()) as Float32Array;
    y.dispose();
    cs.forEach((_, i) => {
      const len = lengths[i];
      const mel = new Float32Array(len * m);
      for (let f = 0; f < len; f++) {
        for (let q = 0; q < m; q++) mel[f * m + q] = data[(i * t + f) * m + q] * std[q] + mean[q];
      }
      out.push({ data: mel, frames: len, nMels: m });
    });
  }
  return out;
}
