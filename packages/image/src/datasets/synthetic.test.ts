import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@latentkit/core';
import { syntheticGlyphs } from './synthetic.js';
import type { FloatImage } from '../io/float-image.js';

function nearestMeanAccuracy(train: { images: FloatImage[]; labels: Uint8Array }, test: { images: FloatImage[]; labels: Uint8Array }, k: number): number {
  const d = train.images[0].data.length;
  const means = Array.from({ length: k }, () => new Float64Array(d));
  const counts = new Array(k).fill(0);
  train.images.forEach((im, i) => {
    counts[train.labels[i]]++;
    const m = means[train.labels[i]];
    for (let j = 0; j < d; j++) m[j] += im.data[j];
  });
  means.forEach((m, c) => m.forEach((v, j) => (m[j] = v / counts[c])));
  let correct = 0;
  test.images.forEach((im, i) => {
    let best = -1;
    let bestDist = Infinity;
    means.forEach((m, c) => {
      let s = 0;
      for (let j = 0; j < d; j++) s += (im.data[j] - m[j]) ** 2;
      if (s < bestDist) [best, bestDist] = [c, s];
    });
    if (best === test.labels[i]) correct++;
  });
  return correct / test.images.length;
}

describe('syntheticGlyphs', () => {
  it('is deterministic for a seed and differs across seeds', async () => {
    for (const style of ['strokes', 'mixed'] as const) {
      const a = await syntheticGlyphs({ count: 50, seed: 7, style });
      const b = await syntheticGlyphs({ count: 50, seed: 7, style });
      const c = await syntheticGlyphs({ count: 50, seed: 8, style });
      expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
      expect(a.images.every((im, i) => im.data.every((v, j) => v === b.images[i].data[j]))).toBe(true);
      expect(a.images.some((im, i) => im.data.some((v, j) => v !== c.images[i].data[j]))).toBe(true);
    }
  });

  it('has the right shapes, range, balance and ink', async () => {
    const set = await syntheticGlyphs({ count: 200, seed: 1, size: 32 });
    expect(set.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(set.images).toHaveLength(200);
    const counts = new Array(10).fill(0);
    for (const l of set.labels) counts[l]++;
    expect(counts).toEqual(new Array(10).fill(20));
    for (const im of set.images) {
      expect(im).toMatchObject({ width: 32, height: 32, channels: 1 });
      let min = Infinity;
      let max = -Infinity;
      let sum = 0;
      for (const v of im.data) [min, max, sum] = [Math.min(min, v), Math.max(max, v), sum + v];
      expect(min).toBeGreaterThanOrEqual(0);
      expect(max).toBeLessThanOrEqual(1);
      expect(max).toBeGreaterThan(0.9); // white strokes
      expect(sum / im.data.length).toBeGreaterThan(0.03); // MNIST's mean is about 0.13
      expect(sum / im.data.length).toBeLessThan(0.4);
      // black border, like MNIST: the outermost ring holds little ink
      let border = 0;
      for (let i = 0; i < 32; i++) border += im.data[i] + im.data[31 * 32 + i] + im.data[i * 32] + im.data[i * 32 + 31];
      expect(border / 128).toBeLessThan(0.2);
    }
  });

  it('generates 2,000 digits in a few seconds, with classes a nearest-mean classifier tells apart', async () => {
    const t0 = performance.now();
    const train = await syntheticGlyphs({ count: 2000, seed: 11 });
    const ms = performance.now() - t0;
    expect(ms).toBeLessThan(5000);
    const test = await syntheticGlyphs({ count: 500, seed: 12 });
    const acc = nearestMeanAccuracy(train, test, 10);
    expect(acc).toBeGreaterThan(0.6); // chance is 0.1; measured about 0.8 (real MNIST gives about 0.74)
  });

  it('draws shapes and stroke-only sets, and checks its options', async () => {
    const set = await syntheticGlyphs({ count: 40, seed: 2, classes: ['plus', 'circle', '7'], style: 'strokes' });
    expect(set.classNames).toEqual(['plus', 'circle', '7']);
    expect(set.fonts).toEqual([]);
    expect(Math.max(...set.labels)).toBe(2);
    await expect(syntheticGlyphs({ count: 0 })).rejects.toThrow(InvalidArgumentError);
    await expect(syntheticGlyphs({ count: 10, size: 4 })).rejects.toThrow(InvalidArgumentError);
    await expect(syntheticGlyphs({ count: 10, classes: ['A' as '0'] })).rejects.toThrow(InvalidArgumentError);
    await expect(syntheticGlyphs({ count: 10, classes: ['1', '1'] })).rejects.toThrow(InvalidArgumentError);
  });
});
