/**
 * @file Synthetic codes for tests and the store benchmark: a seeded mixture of Gaussian
 * clusters with per-dimension spreads, shaped like autoencoder codes (clumped by class and
 * style) rather than uniform noise, on which every approximate index looks worse than on codes.
 */
import { createRng } from '@latentkit/core';

/**
 * `rows x dim` codes from `clusters` Gaussian clusters.
 * @returns row-major values and each row's cluster.
 */
export function clusteredCodes(rows: number, dim: number, clusters: number, seed = 1): { data: Float32Array; cluster: Int32Array } {
  const rand = createRng(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const centres = Float32Array.from({ length: clusters * dim }, () => gauss() * 2);
  const spread = Float32Array.from({ length: clusters * dim }, () => 0.3 + rand());
  const data = new Float32Array(rows * dim);
  const cluster = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const c = Math.floor(rand() * clusters);
    cluster[i] = c;
    for (let j = 0; j < dim; j++) data[i * dim + j] = centres[c * dim + j] + gauss() * spread[c * dim + j];
  }
  return { data, cluster };
}

/** Exact k nearest rows by cosine distance (what the store's exact search must return). */
export function exactCosineKnn(data: Float32Array, dim: number, query: Float32Array, k: number): number[] {
  const rows = data.length / dim;
  let qn = 0;
  for (let j = 0; j < dim; j++) qn += query[j] * query[j];
  qn = Math.sqrt(qn);
  const dist = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let dot = 0;
    let n = 0;
    for (let j = 0; j < dim; j++) {
      const v = data[i * dim + j];
      dot += v * query[j];
      n += v * v;
    }
    dist[i] = 1 - dot / (Math.sqrt(n) * qn);
  }
  // Partial selection: a sorted list of the k best so far (a full sort of 1M rows per query is slow).
  const best: number[] = [];
  for (let i = 0; i < rows; i++) {
    if (best.length === k && dist[i] >= dist[best[k - 1]]) continue;
    let at = best.length < k ? best.length : k - 1;
    if (best.length < k) best.push(i);
    while (at > 0 && dist[best[at - 1]] > dist[i]) {
      best[at] = best[at - 1];
      at--;
    }
    best[at] = i;
  }
  return best;
}
