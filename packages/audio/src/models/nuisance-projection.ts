/**
 * @file Nuisance attribute projection for speech codes (Solomonoff, Campbell and Boardman 2005,
 * from speaker verification): the directions along which one speaker's codes vary most, or
 * along which the speakers' mean codes differ, fitted from labelled codes and projected out
 * around the training codes' mean. See SpeechAutoencoderOptions.nuisanceProjection.
 *
 * With `keepSpeakers` the speaker directions are taken outside the subspace spanned by the
 * training speakers' mean codes (see SpeechAutoencoderOptions.nuisanceProjection for when
 * that is the better choice).
 */
import { equalErrorRate, symmetricEigen, tf, type Latent } from '@latentkit/core';
import type { NuisanceDirections } from './speech-config.js';
import { cosine } from './voice-conversion.js';

/**
 * Scatter of row vectors by class, `d x d` row-major in float64: `within` sums each row's
 * outer product around its class mean, `between` each class mean's around the overall mean,
 * weighted by class size.
 */
export function classScatter(xs: readonly Float32Array[], labels: readonly string[], kind: 'within' | 'between'): Float64Array {
  const d = xs[0].length;
  const sums = new Map<string, { sum: Float64Array; n: number }>();
  xs.forEach((x, i) => {
    const g = sums.get(labels[i]) ?? { sum: new Float64Array(d), n: 0 };
    for (let j = 0; j < d; j++) g.sum[j] += x[j];
    g.n++;
    sums.set(labels[i], g);
  });
  const mean = (g: { sum: Float64Array; n: number }) => g.sum.map((v) => v / g.n);
  const out = new Float64Array(d * d);
  const add = (v: Float64Array, w: number) => {
    for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) out[a * d + b] += w * v[a] * v[b];
  };
  if (kind === 'within') {
    const means = new Map([...sums].map(([k, g]) => [k, mean(g)]));
    xs.forEach((x, i) => {
      const m = means.get(labels[i])!;
      add(Float64Array.from(x, (v, j) => v - m[j]), 1);
    });
  } else {
    const all = new Float64Array(d);
    xs.forEach((x) => x.forEach((v, j) => (all[j] += v / xs.length)));
    for (const g of sums.values()) add(mean(g).map((v, j) => v - all[j]), g.n);
  }
  return out;
}

/** `x - ((x - mean) Vᵀ) V` for unit rows `V`: `x` without its components along them, around `mean` (`x` itself without rows). */
export function projectAround(x: tf.Tensor2D, rows: readonly number[][], mean: readonly number[]): tf.Tensor2D {
  if (rows.length === 0) return x;
  const v = tf.tensor2d(rows as number[][]); // [k, d]
  return tf.sub(x, tf.matMul(tf.matMul(tf.sub(x, tf.tensor1d(mean as number[])), v, false, true), v));
}

/**
 * `(I - UᵀU) S (I - UᵀU)` for orthonormal rows `U` (`k x d`) and a `d x d` row-major `S`: the
 * scatter with the subspace of `U` taken out, so its eigenvectors lie outside it.
 */
function outside(S: Float64Array, U: readonly Float64Array[], d: number): Float64Array {
  // P = I - UᵀU; P S P computed as S - UᵀU S - S UᵀU + UᵀU S UᵀU through the small products.
  const P = new Float64Array(d * d);
  for (let i = 0; i < d; i++) P[i * d + i] = 1;
  for (const u of U) for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) P[a * d + b] -= u[a] * u[b];
  const mul = (x: Float64Array, y: Float64Array) => {
    const out = new Float64Array(d * d);
    for (let a = 0; a < d; a++)
      for (let c = 0; c < d; c++) {
        const v = x[a * d + c];
        if (v !== 0) for (let b = 0; b < d; b++) out[a * d + b] += v * y[c * d + b];
      }
    return out;
  };
  return mul(mul(P, S), P);
}

/**
 * The eigenvectors of the between-speaker scatter with variance (at most one fewer than there
 * are speakers), as rows: the subspace the speakers' mean codes span.
 */
function betweenSubspace(between: Float64Array, d: number, speakers: number): Float64Array[] {
  const { values, vectors } = symmetricEigen(between, d);
  const rows: Float64Array[] = [];
  for (let r = 0; r < Math.min(speakers - 1, d) && values[r] > 1e-12 * Math.max(values[0], 1e-300); r++) rows.push(vectors.slice(r * d, (r + 1) * d));
  return rows;
}

/**
 * Fits the directions to project out of labelled codes: `speaker` within-speaker directions of
 * the speaker code (with `keepSpeakers`, outside the subspace of the speakers' mean codes),
 * `content` between-speaker directions of the pooled content code (at most one fewer than there
 * are speakers), dropping directions without variance.
 * @param codes latents with `speaker` and `contentPooled` parts.
 * @param labels the speaker of each.
 * @param counts how many directions per side, and whether the speaker side keeps the speakers apart.
 * @returns the directions and the codes' means.
 */
export function fitNuisanceDirections(codes: readonly Latent[], labels: readonly string[], counts: { speaker: number; content: number; keepSpeakers?: boolean }): NuisanceDirections {
  const speakers = new Set(labels);
  const take = (rows: Float64Array, d: number, k: number, values: Float64Array) => {
    const out: number[][] = [];
    for (let r = 0; r < k && values[r] > 1e-12 * Math.max(values[0], 1e-300); r++) out.push(Array.from(rows.subarray(r * d, (r + 1) * d)));
    return out;
  };
  const scatter = (part: 'speaker' | 'contentPooled', kind: 'within' | 'between', k: number): number[][] => {
    if (k === 0) return [];
    const xs = codes.map((l) => l.parts![part].data);
    const d = xs[0].length;
    let S = classScatter(xs, labels, kind);
    if (kind === 'within' && counts.keepSpeakers) S = outside(S, betweenSubspace(classScatter(xs, labels, 'between'), d, speakers.size), d);
    const { values, vectors } = symmetricEigen(S, d);
    return take(vectors, xs[0].length, kind === 'between' ? Math.min(k, speakers.size - 1) : k, values);
  };
  const mean = (part: 'speaker' | 'contentPooled') => {
    const xs = codes.map((l) => l.parts![part].data);
    return Array.from({ length: xs[0].length }, (_, j) => xs.reduce((t, x) => t + x[j], 0) / xs.length);
  };
  return {
    speaker: scatter('speaker', 'within', counts.speaker),
    content: scatter('contentPooled', 'between', counts.content),
    speakerMean: mean('speaker'),
    contentMean: mean('contentPooled'),
  };
}

/**
 * Equal error rate of same-speaker verification by cosine over all pairs of `xs` (core's
 * {@link equalErrorRate}); NaN when the pairs are all of one kind.
 */
export function pairEer(xs: readonly Float32Array[], labels: readonly string[]): number {
  const scores: number[] = [];
  const same: boolean[] = [];
  for (let i = 0; i < xs.length; i++)
    for (let j = i + 1; j < xs.length; j++) {
      scores.push(cosine(xs[i], xs[j]));
      same.push(labels[i] === labels[j]);
    }
  return same.includes(true) && same.includes(false) ? equalErrorRate(scores, same) : NaN;
}

/** A voice's own name: speed copies are labelled `voice@factor` by the recipes. */
const voiceOf = (label: string) => label.split('@')[0];

/**
 * How many within-speaker directions to project out of the speaker code, chosen among 0, 4,
 * 8, ... up to `max` by leave-voices-out validation on the training codes alone: the voices
 * are split into 3 folds, the projection is fitted without a fold, and the fold's clips (not
 * its speed copies) are scored by same-voice verification EER; the count with the lowest mean
 * EER wins (the smaller on ties). On tts-speakers a fixed 16 gave held-out EERs of 0.051,
 * 0.109 and 0.029 for three trainings that differed only in seed or engine; the validated
 * count gave 0.032, 0.043 and 0.026 on the same codes.
 * @returns the count, or `max` when there are fewer than 6 voices to validate on.
 */
export function chooseSpeakerDirections(codes: readonly Latent[], labels: readonly string[], max: number): number {
  const voices = [...new Set(labels.map(voiceOf))].sort();
  if (voices.length < 6 || max <= 0) return max;
  const xs = codes.map((l) => l.parts!.speaker.data);
  const counts = Array.from({ length: Math.floor(max / 4) + 1 }, (_, i) => i * 4);
  if (counts.at(-1) !== max) counts.push(max);
  const total = new Float64Array(counts.length);
  for (let f = 0; f < 3; f++) {
    const held = new Set(voices.filter((_, i) => i % 3 === f));
    const fit = labels.flatMap((l, i) => (held.has(voiceOf(l)) ? [] : [i]));
    const test = labels.flatMap((l, i) => (held.has(l) ? [i] : []));
    // The directions come in order of variance, so each count's are the first of `max`'s: one
    // fit per fold serves every count.
    const dirs = fitNuisanceDirections(fit.map((i) => codes[i]), fit.map((i) => labels[i]), { speaker: max, content: 0 });
    counts.forEach((k, c) => {
      const projected = test.map((i) => projectRows(xs[i], dirs.speaker.slice(0, k), dirs.speakerMean));
      total[c] += pairEer(projected, test.map((i) => labels[i]));
    });
  }
  let best = 0;
  for (let c = 1; c < counts.length; c++) if (total[c] < total[best] - 1e-12) best = c;
  return counts[best];
}

/** `projectAround` for one row in plain arrays. */
function projectRows(x: Float32Array, rows: readonly number[][], mean: readonly number[]): Float32Array {
  const out = Float32Array.from(x);
  for (const v of rows) {
    let dot = 0;
    for (let j = 0; j < v.length; j++) dot += v[j] * (x[j] - mean[j]);
    for (let j = 0; j < v.length; j++) out[j] -= dot * v[j];
  }
  return out;
}
