/**
 * @file Fixtures of the training tests: vectors on a 2-D manifold in 8-D (an AE with a 2-D code
 * can learn them), and how far two trainings' weights are apart.
 */
import { createNormalRng } from '../math/random.js';
import type { VectorAutoencoder } from '../model/vector-autoencoder.js';

/** `n` vectors on a 2-D manifold embedded in 8-D. */
export function manifoldData(n: number, seed = 3): Float32Array[] {
  const r = createNormalRng(seed);
  return Array.from({ length: n }, () => {
    const a = r();
    const b = r();
    return Float32Array.from([a, b, a + b, a - b, Math.sin(a), Math.cos(b), a * 0.5, -b]);
  });
}

/** Copies of a model's trainable weights. */
export const weightsOf = (m: VectorAutoencoder): Float32Array[] => m.variables().map((v) => Float32Array.from(v.dataSync() as Float32Array));

/** ||a - b|| / ||b - initial||: difference relative to how far training moved the weights. */
export function drift(a: Float32Array[], b: Float32Array[], initial: Float32Array[]): number {
  let d = 0;
  let m = 0;
  a.forEach((w, i) => w.forEach((v, j) => ((d += (v - b[i][j]) ** 2), (m += (b[i][j] - initial[i][j]) ** 2))));
  return Math.sqrt(d / m);
}
