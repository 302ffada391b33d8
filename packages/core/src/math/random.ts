/**
 * @file Seeded randomness for everything that must repeat exactly (shuffles, splits, synthetic
 * data), independent of tfjs's global RNG.
 */

/** mulberry32: tiny, fast, good enough for shuffles and synthetic data. Returns [0, 1). */
export function createRng(seed: number): () => number {
  let a = (seed >>> 0) ^ 0x9e3779b9;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal samples from a uniform RNG (Box-Muller). */
export function createNormalRng(seed: number): () => number {
  const u = createRng(seed);
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    let r = 0;
    let v1 = 0;
    let v2 = 0;
    do {
      v1 = 2 * u() - 1;
      v2 = 2 * u() - 1;
      r = v1 * v1 + v2 * v2;
    } while (r >= 1 || r === 0);
    const f = Math.sqrt((-2 * Math.log(r)) / r);
    spare = v2 * f;
    return v1 * f;
  };
}

/** A seeded Fisher-Yates permutation of `0..n-1`. */
export function shuffledIndices(n: number, seed: number): number[] {
  const rng = createRng(seed);
  const idx = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = idx[i];
    idx[i] = idx[j];
    idx[j] = t;
  }
  return idx;
}
