/**
 * @file An independent judge of image reconstructions: k-nearest neighbours on raw pixels,
 * fit on a labelled reference set the model never saw (MNIST train for a model trained on MNIST
 * test digits). "The judge reads the reconstruction as the right digit" = the majority label of
 * its k nearest reference images (squared Euclidean distance) is the input's label. A blob that
 * looks like every digit is read as whichever digit the mean image is closest to, so a
 * collapsed model scores about one class's share.
 */
import { tf } from '@latentkit/core';

/** A labelled reference set of flat, equal-length pixel vectors. */
export interface KnnReference {
  vectors: readonly Float32Array[];
  labels: ArrayLike<number>;
}

/** Reference rows per distance matmul (bounds the [queries x chunk] matrix). */
const CHUNK = 8192;

/**
 * The k-NN label of each query (ties: the label of the nearest neighbour among the tied ones).
 * Distances are |r|^2 - 2 r.q (|q|^2 is the same for every r), the dot products by tfjs matmul
 * in chunks of the reference set: 500 queries against 60,000 MNIST images is 24 GFLOP.
 * Call `initEngine()` first.
 * @param ref the reference set.
 * @param queries flat vectors of the reference's length.
 * @param k neighbours. @default 5
 * @returns one predicted label per query.
 * @throws {Error} when lengths differ or k is not in 1..reference size.
 */
export function knnPredict(ref: KnnReference, queries: readonly Float32Array[], k = 5): number[] {
  const n = ref.vectors.length;
  if (!Number.isInteger(k) || k < 1 || k > n) throw new Error(`knnPredict: k must be in 1..${n}, got ${k}.`);
  const d = ref.vectors[0]?.length ?? 0;
  const m = queries.length;
  const flat = (rows: readonly Float32Array[], from: number, to: number) => {
    const out = new Float32Array((to - from) * d);
    for (let i = from; i < to; i++) {
      if (rows[i].length !== d) throw new Error(`knnPredict: row ${i} has ${rows[i].length} values, expected ${d}.`);
      out.set(rows[i], (i - from) * d);
    }
    return out;
  };
  const best: { dist: number; label: number }[][] = queries.map(() => []);
  const q = tf.tensor2d(flat(queries, 0, m), [m, d]);
  try {
    for (let from = 0; from < n; from += CHUNK) {
      const to = Math.min(n, from + CHUNK);
      const dist = tf.tidy(() => {
        const r = tf.tensor2d(flat(ref.vectors, from, to), [to - from, d]);
        return tf.sub(tf.sum(tf.square(r), 1).expandDims(0), tf.mul(2, tf.matMul(q, r, false, true)));
      });
      const values = dist.dataSync();
      dist.dispose();
      const w = to - from;
      for (let qi = 0; qi < m; qi++) {
        const b = best[qi];
        for (let i = 0; i < w; i++) {
          const v = values[qi * w + i];
          if (b.length === k && v >= b[k - 1].dist) continue;
          let at = b.length < k ? b.length : k - 1;
          if (b.length < k) b.push({ dist: v, label: ref.labels[from + i] });
          while (at > 0 && b[at - 1].dist > v) {
            b[at] = b[at - 1];
            at--;
          }
          b[at] = { dist: v, label: ref.labels[from + i] };
        }
      }
    }
  } finally {
    q.dispose();
  }
  return best.map((b) => {
    const votes = new Map<number, number>();
    for (const x of b) votes.set(x.label, (votes.get(x.label) ?? 0) + 1);
    const top = Math.max(...votes.values());
    // b is sorted nearest first: the first label with the top count wins a tie.
    return b.find((x) => votes.get(x.label) === top)!.label;
  });
}

/** Share of `predicted[i] === truth[i]`. */
export function accuracy(predicted: readonly number[], truth: ArrayLike<number>): number {
  let hit = 0;
  for (let i = 0; i < predicted.length; i++) if (predicted[i] === truth[i]) hit++;
  return predicted.length ? hit / predicted.length : NaN;
}
